"""The back office: staff login, orders, fulfilment and refunds, under /admin. `python -m pepestore.admin` manages
staff accounts from the command line (there is no sign-up)."""
