"""Which of checkout's commits wait for PostgreSQL's WAL flush (placing.place's durable_by_attach).

The placement's commit may skip the wait only because the attach's commit, which does wait, comes before anyone
can pay the order: it flushes the log up to and past the placement. So: a placement by checkout does not wait, the
attach does, and so does a placement that cancels older orders, or any placement outside checkout.
"""

import httpx
import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from pepestore.db import session_scope
from pepestore.models import Order, OrderStatus as S, Product, utcnow
from pepestore.payments.checkout import start_checkout
from pepestore.payments.client import FintocClient
from pepestore.payments.config import get_fintoc_config
from pepestore.store import cart, orders
from tests.fakes.fintoc_fake import StrictFakeFintoc


@pytest.fixture
def commits(pg_engine, monkeypatch):
    """synchronous_commit in force at every COMMIT on the app's engine, in order."""
    fake = StrictFakeFintoc()
    client = FintocClient(fake.secret_key, transport=httpx.MockTransport(fake.handle))
    monkeypatch.setattr("pepestore.payments.checkout.fintoc_client", lambda: client)
    get_fintoc_config()  # the sandbox's keys, made (and committed) on first use: not a commit of checkout's
    seen: list[str] = []

    def before_commit(connection):
        seen.append(connection.exec_driver_sql("SHOW synchronous_commit").scalar())

    event.listen(pg_engine, "commit", before_commit)
    yield seen
    event.remove(pg_engine, "commit", before_commit)


def add(token: str, slug: str, quantity: int = 1) -> str:
    with session_scope() as session:
        product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
        return cart.add_item(session, token, product_id, quantity).cart.token


async def test_the_placement_skips_the_flush_wait_and_the_attach_that_makes_it_payable_does_not(commits, pg_engine):
    token = add("", "wool-beanie")
    commits.clear()
    start = await start_checkout(token, "ana@example.cl", None)
    assert commits == ["off", "on"], "place (no flush wait), then attach (flushed before the shopper can pay)"
    with Session(pg_engine) as session:
        order = session.exec(select(Order).where(Order.public_token == start.order_token)).one()
        assert order.status == S.PENDING_PAYMENT and order.fintoc_session_token == start.session_token


async def test_a_placement_that_cancels_older_orders_waits_for_the_flush(commits):
    token = add("", "wool-beanie")
    await start_checkout(token, "ana@example.cl", None)
    add(token, "cast-iron-teapot")  # the cart changed: the next checkout replaces the open order
    commits.clear()
    await start_checkout(token, "ana@example.cl", None)
    assert commits[0] == "on"
    assert commits[-1] == "on"


def test_a_placement_outside_checkout_waits_for_the_flush(commits):
    token = add("", "wool-beanie")
    commits.clear()
    with session_scope() as session:
        orders.place_order(session, token, "ana@example.cl", None, utcnow())
    assert commits == ["on"]
