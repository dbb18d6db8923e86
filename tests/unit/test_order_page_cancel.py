"""Back from Fintoc's cancel_url (/order/<token>?cancelled=1): the page hands the order to the abandon path."""

from sqlmodel import Session

from pepestore.models import Order, OrderStatus as S
from pepestore.state.order import OrderState
from tests.integration.store_server import place_order, stock_of
from tests.unit.reflex_helpers import new_state, visit


async def test_the_cancel_return_does_not_cancel_on_the_event_loop_but_starts_the_abandon_path(engine):
    order = place_order(("cast-iron-teapot", 3))
    page = await new_state(OrderState)
    visit(page, f"http://localhost:3000/order/{order.public_token}?cancelled=1")
    follow_up = await page.load()
    # Cancelling here would release the stock while the session may still be paid at Fintoc: the background
    # handler settles from Fintoc, closes the session there, and only then cancels (payments/checkout.py).
    assert getattr(follow_up, "fn", None) is OrderState.cancel_payment.fn
    with Session(engine) as session:
        assert session.get(Order, order.id).status == S.PENDING_PAYMENT
    assert stock_of(engine, "cast-iron-teapot") == 0


async def test_without_the_cancel_flag_the_page_only_watches(engine):
    order = place_order(("cast-iron-teapot", 1))
    page = await new_state(OrderState)
    visit(page, f"http://localhost:3000/order/{order.public_token}")
    assert getattr(await page.load(), "fn", None) is OrderState.watch.fn


async def test_a_cancel_that_fails_tells_the_shopper_and_keeps_watching(engine, monkeypatch):
    from tests.unit.test_limits import _run_background
    from tests.unit.reflex_helpers import toasts

    async def broken(*_args):
        raise RuntimeError("database away")

    monkeypatch.setattr("pepestore.state.order.abandon_order", broken)
    order = place_order(("cast-iron-teapot", 1))
    page = await new_state(OrderState)
    visit(page, f"http://localhost:3000/order/{order.public_token}?cancelled=1")
    await page.load()
    result = await _run_background(page, "cancel_payment")
    assert toasts(result)[0][0] == "error" and "couldn't cancel" in toasts(result)[0][1]
    assert getattr(result[-1], "fn", None) is OrderState.watch.fn
