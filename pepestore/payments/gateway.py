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
