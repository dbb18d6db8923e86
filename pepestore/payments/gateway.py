"""The process's Fintoc client, one per event loop (an httpx.AsyncClient must stay on the loop that made it)."""

from __future__ import annotations

import asyncio
import weakref

from pepestore.payments.client import FintocClient
from pepestore.payments.config import get_fintoc_config

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FintocClient] = weakref.WeakKeyDictionary()


def fintoc_client() -> FintocClient:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        config = get_fintoc_config()
        client = _clients[loop] = FintocClient(config.secret_key, base_url=config.api_url)
    return client


async def close_fintoc_client() -> None:
    """Close this loop's client (its pooled connections) at shutdown; a later call would make a new one."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
