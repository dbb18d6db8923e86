"""Which Fintoc the store talks to. Configuration only: the code that pays never asks "is this the sandbox?"."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from pepestore.settings import Settings, get_settings

SANDBOX_PATH = "/sandbox/fintoc"


@dataclass(frozen=True)
class FintocConfig:
    secret_key: str = field(repr=False)
    public_key: str
    webhook_secret: str = field(repr=False)
    api_url: str
    widget_url: str
    sandbox: bool

    @property
    def mode(self) -> str:
        """The mode Fintoc stamps on this account's objects and events; anything else is not ours."""
        return "live" if self.secret_key.startswith("sk_live_") else "test"

    @property
    def webhook_url(self) -> str:
        return get_settings().public_url + "/payments/webhook"


def load_fintoc_config(settings: Settings) -> FintocConfig:
    # Settings already refused a half-configured Fintoc: here it is either all three keys or FINTOC_SANDBOX=1.
    if not settings.fintoc_sandbox:
        return FintocConfig(
            secret_key=settings.fintoc_secret_key,
            public_key=settings.fintoc_public_key,
            webhook_secret=settings.fintoc_webhook_secret,
            api_url=settings.fintoc_api_url,
            widget_url=settings.fintoc_widget_url,
            sandbox=False,
        )
    # FINTOC_SANDBOX=1: the built-in sandbox, with the keys it made for itself and keeps in the database.
    from pepestore.db import session_scope
    from pepestore.payments.sandbox.service import account

    with session_scope() as session:
        keys = account(session)
    base = settings.public_url + SANDBOX_PATH
    return FintocConfig(
        secret_key=keys.secret_key,
        public_key=keys.public_key,
        webhook_secret=keys.webhook_secret,
        api_url=base,
        widget_url=base + "/widget.js",
        sandbox=True,
    )


@functools.cache
def get_fintoc_config() -> FintocConfig:
    return load_fintoc_config(get_settings())
