"""Talking to Fintoc: the HTTP client, webhook signatures, typed responses, and the local sandbox.

Plain Python (no Reflex imports), usable and testable on its own.
"""
