"""The paid order's page promises email updates only when the store sends email (MAIL_DISABLED=1 sends none)."""

from pepestore.pages import order
from pepestore.settings import get_settings


def test_the_paid_banner_promises_email_only_when_the_store_sends_it(monkeypatch):
    monkeypatch.setenv("MAIL_DISABLED", "1")
    get_settings.cache_clear()
    silent = str(order._status())
    monkeypatch.delenv("MAIL_DISABLED")
    get_settings.cache_clear()
    sending = str(order._status())
    get_settings.cache_clear()
    assert "send updates" in sending and "send updates" not in silent
    assert "Keep this page" in silent
