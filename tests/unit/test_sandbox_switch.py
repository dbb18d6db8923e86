"""With real Fintoc keys the store exposes no sandbox: no route, no banner, no delivery task."""

import pytest
from starlette.testclient import TestClient

from tests.conftest import _clear_caches

KEYS = {"FINTOC_SECRET_KEY": "sk_live_x", "FINTOC_PUBLIC_KEY": "pk_live_x", "FINTOC_WEBHOOK_SECRET": "whsec_x"}


@pytest.fixture
def live_keys(monkeypatch):
    monkeypatch.delenv("FINTOC_SANDBOX", raising=False)
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAIL_DISABLED", "1")
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def sandbox(monkeypatch):
    monkeypatch.setenv("FINTOC_SANDBOX", "1")
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    _clear_caches()
    yield
    _clear_caches()


def _sandbox_answers() -> int:
    from pepestore.api import build_api

    with TestClient(build_api()) as client:
        return client.get("/sandbox/fintoc/widget.js").status_code


def _banner_shown() -> bool:
    import reflex as rx

    from pepestore.components.layout import page

    return "sandbox-banner" in str(page(rx.text("x")))


def test_with_keys_there_is_no_sandbox_route_and_no_banner(live_keys):
    assert _sandbox_answers() == 404
    assert not _banner_shown()


def test_with_the_sandbox_asked_for_both_are_there(sandbox, engine):
    assert _sandbox_answers() == 200
    assert _banner_shown()
