"""Emails to shoppers: rendering (jinja2 templates beside this package), sending (aiosmtplib, a lifespan task),
and the sandbox's local mail viewer. What is owed is decided by pepestore/store/outbox.py."""
