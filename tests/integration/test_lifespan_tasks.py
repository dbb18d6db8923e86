"""The store's lifespan tasks end at once when cancelled (as Reflex does at shutdown) and close their HTTP clients."""

import asyncio

import pytest

from pepestore.payments import gateway
from pepestore.payments.reconcile import run_reconciler
from pepestore.payments.sandbox.service import Sandbox
from pepestore.payments.sandbox.webhooks import WebhookDispatcher


async def cancel_and_wait(task: asyncio.Task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)


async def test_the_reconciler_closes_the_loops_fintoc_client_when_cancelled(engine):
    client = gateway.fintoc_client()  # what a Pay click or a reconciliation pass made on this loop
    task = asyncio.create_task(run_reconciler())
    await asyncio.sleep(0.2)  # one pass over no pending orders, then its sleep
    assert not task.done()
    await cancel_and_wait(task)
    assert client._http.is_closed, "its pooled connections are closed"
    assert gateway.fintoc_client() is not client, "a later caller on this loop gets a fresh client"


async def test_the_sandbox_dispatcher_closes_its_client_when_cancelled(engine):
    dispatcher = WebhookDispatcher(Sandbox("http://127.0.0.1:9/sandbox/fintoc"), "http://127.0.0.1:9/payments/webhook",
                                   "whsec_test", poll_seconds=0.05)
    task = asyncio.create_task(dispatcher.run_forever())
    await asyncio.sleep(0.2)
    assert not task.done()
    await cancel_and_wait(task)
    assert dispatcher._http.is_closed
