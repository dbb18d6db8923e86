"""The store's HTTP routes beside Reflex's own, as one Starlette app handed to `rx.App(api_transformer=...)`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from pepestore.payments.config import SANDBOX_PATH
from pepestore.settings import get_settings


def build_api() -> Starlette:
    settings = get_settings()
    routes = []
    if settings.fintoc_sandbox:
        # Only a store without Fintoc keys serves the sandbox: a live store never exposes a fake payment provider.
        from pepestore.payments.sandbox.api import build_sandbox_api

        routes.append(Mount(SANDBOX_PATH, app=build_sandbox_api(settings.public_url + SANDBOX_PATH)))
    return Starlette(routes=routes)


async def run_sandbox_webhooks() -> None:
    """Lifespan task: deliver the sandbox's events to this store's webhook route."""
    from pepestore.payments.config import get_fintoc_config
    from pepestore.payments.sandbox.service import Sandbox
    from pepestore.payments.sandbox.webhooks import WebhookDispatcher

    config = get_fintoc_config()
    dispatcher = WebhookDispatcher(Sandbox(config.api_url), config.webhook_url, config.webhook_secret)
    await dispatcher.run_forever()
