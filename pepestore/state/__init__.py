"""Reflex states: thin layers that validate event arguments, call a service and set what the page shows."""
