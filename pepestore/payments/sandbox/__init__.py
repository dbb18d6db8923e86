"""A local Fintoc served by the store itself, honouring Fintoc's HTTP, widget and webhook contract.

It exists so a newcomer with no keys, and machines that cannot reach Fintoc, still run real payments end
to end. It is mounted only when FINTOC_SANDBOX=1 (see pepestore/settings.py).
"""
