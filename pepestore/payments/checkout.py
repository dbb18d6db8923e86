"""Checkout: place the order from the cart (database prices, reserved stock), then open a Fintoc session for it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from pepestore.db import session_scope
from pepestore.limits import address_key, admit_new_order
from pepestore.models import OrderStatus, as_utc, utcnow
from pepestore.payments import settlement
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.errors import FintocError
from pepestore.payments.gateway import fintoc_client
from pepestore.payments.reconcile import UNREACHABLE, close_session, settle_order
from pepestore.payments.types import CheckoutSession
from pepestore.settings import get_settings
from pepestore.store import orders, placing
from pepestore.i18n import text
from pepestore.store.errors import StoreError

EXITED_WIDGET = "the shopper closed the payment window"
CANCELLED_ON_FINTOC = "the shopper cancelled on Fintoc's page"


@dataclass(frozen=True)
class CheckoutStart:
    """What the browser needs to open Fintoc's widget for an order. Nothing here is secret."""

    order_token: str
    session_token: str
    redirect_url: str
    public_key: str
    widget_url: str


@dataclass(frozen=True)
class _Placed:
    id: int
    public_token: str
    total: int
    email: str
    expires_at: object
    session_token: str | None
    redirect_url: str | None
    # Orders this placement replaced (the cart changed): their Fintoc sessions must not stay payable.
    replaced: list[tuple[int, str]] = field(default_factory=list)


log = logging.getLogger("pepestore.checkout")


def status_page_url(public_token: str) -> str:
    return f"{get_settings().public_url}/order/{public_token}"


def _place(cart_token: object, email: object, client_token: str | None, client_ip: str | None) -> _Placed:
    browser = cart_token if isinstance(cart_token, str) else None
    with session_scope() as session:
        # Open orders are counted per shopper's address: an IPv6 shopper's whole /64 is one address.
        # durable_by_attach: start_checkout hands out a way to pay only after _attach's (flushed) commit.
        order = placing.place(session, cart_token, email, client_token, utcnow(), client_ip=address_key(client_ip),
                              admit=lambda: admit_new_order(browser, client_ip), durable_by_attach=True)
        return _Placed(order.id, order.public_token, order.total, order.email, as_utc(order.expires_at),
                       order.session_token, order.redirect_url, order.replaced)


async def expire_at_fintoc(order_id: int, session_id: str) -> bool:
    """Close a closed order's session so it can no longer be paid. If Fintoc cannot be reached the order stays
    marked (orders.cancel_order) and the reconciler closes it later; a payment that lands first takes the
    late-payment path."""
    try:
        await close_session(order_id, session_id, orders.Source.SHOPPER, idempotency_key=f"order-{order_id}-{session_id}-expire")
        return True
    except FintocError as exc:
        log.info("session %s of closed order %s not expired yet: %s", session_id, order_id, exc)
        return False


def _attach(order_id: int, session_id: str, session_token: str | None, redirect_url: str | None) -> str:
    with session_scope() as session:
        return placing.attach_session(session, order_id, session_id, session_token, redirect_url, utcnow())


def _give_up(order_id: int, reason: str) -> None:
    """Release the order's stock at once: a checkout Fintoc did not open must not hold it for the order's TTL."""
    with session_scope() as session:
        orders.cancel_order(session, order_id, orders.Source.SYSTEM, reason, utcnow())


async def start_checkout(cart_token: object, email: object, client_token: str | None,
                         client_ip: str | None = None) -> CheckoutStart:
    """Raises StoreError for the shopper to read, or FintocError when Fintoc could not be reached."""
    config = get_fintoc_config()
    placed = await asyncio.to_thread(_place, cart_token, email, client_token, client_ip)
    for order_id, session_id in placed.replaced:
        await expire_at_fintoc(order_id, session_id)
    session_token, redirect_url = placed.session_token, placed.redirect_url
    if session_token is None:
        page = status_page_url(placed.public_token)
        try:
            created = await fintoc_client().create_checkout_session(
                amount=placed.total,
                currency="CLP",
                success_url=page,
                cancel_url=f"{page}?cancelled=1",
                customer_email=placed.email,
                metadata={"order_id": str(placed.id), "order_token": placed.public_token},
                expires_at=placed.expires_at,
                # One session per order, however often this runs: Fintoc replays the first answer for this key.
                # The public token too: an id alone can come back (a database reset or restored, a sequence value
                # lost in a crash) and would be handed another order's session.
                idempotency_key=f"order-{placed.id}-{placed.public_token}-checkout-session",
            )
        except FintocError as exc:
            answer = f"{exc.__class__.__name__} {exc.status or ''}".strip()
            await asyncio.to_thread(_give_up, placed.id, f"Fintoc could not open the payment ({answer}); "
                                                         "nothing was charged")
            raise
        if created.amount != placed.total or created.currency != "CLP" or not created.session_token:
            # On record, so the session is closed at Fintoc (now, or by the reconciler) and never payable.
            await asyncio.to_thread(_attach, placed.id, created.id, created.session_token, created.redirect_url)
            await asyncio.to_thread(_give_up, placed.id, f"Fintoc opened a payment for {created.amount} "
                                                         f"{created.currency}, not {placed.total} CLP; "
                                                         "nothing was charged")
            await expire_at_fintoc(placed.id, created.id)
            raise StoreError(text("checkout.amount_mismatch"))
        status = await asyncio.to_thread(_attach, placed.id, created.id, created.session_token, created.redirect_url)
        if status != OrderStatus.PENDING_PAYMENT:
            # Closed while Fintoc was answering (another tab's failed attempt, the shopper's exit): never payable.
            await expire_at_fintoc(placed.id, created.id)
            raise StoreError(text("checkout.interrupted"))
        session_token, redirect_url = created.session_token, created.redirect_url
    return CheckoutStart(placed.public_token, session_token, redirect_url or "", config.public_key,
                         config.widget_url)


def _order_id_for(order_token: object) -> int | None:
    with session_scope() as session:
        order = orders.find_by_public_token(session, order_token)
        return order.id if order is not None else None


def _pending_session(order_id: int) -> tuple[bool, str | None]:
    with session_scope() as session:
        order = session.get(orders.Order, order_id)
        if order is None:
            raise StoreError(text("checkout.no_such_order"))
        return order.status == OrderStatus.PENDING_PAYMENT, order.fintoc_session_id


def _cancel(order_id: int, reason: str, remote: CheckoutSession | None, closed: bool) -> tuple[str, str | None]:
    with session_scope() as session:
        if remote is not None:
            decided = settlement.verdict(session=remote, mode=remote.mode)
            if decided.transition in (settlement.PAY, settlement.CANCEL):  # the bank answered before we closed
                settlement.apply(session, order_id, decided, expected_mode=get_fintoc_config().mode,
                                 source=orders.Source.SHOPPER, now=utcnow())
        orders.cancel_order(session, order_id, orders.Source.SHOPPER, reason, utcnow(), session_closed=closed)
        order = session.get(orders.Order, order_id)
        session.refresh(order)
        return order.status, order.status_reason


async def abandon_order(order_id: int, reason: str = EXITED_WIDGET) -> tuple[str, str | None]:
    """The shopper left the payment: settle from Fintoc first (the payment may have gone through), then close
    the session at Fintoc, then cancel here, which releases the stock. Returns the order's status and why.

    When Fintoc cannot be reached the order is cancelled all the same and stays marked, so the reconciler
    closes its session later.
    """
    outcome = await settle_order(order_id, orders.Source.SHOPPER)
    pending, session_id = await asyncio.to_thread(_pending_session, order_id)
    remote, closed = None, session_id is None
    if pending and session_id and outcome != UNREACHABLE:
        try:
            remote = await fintoc_client().expire_checkout_session(
                session_id, idempotency_key=f"order-{order_id}-{session_id}-expire")
            closed = remote.status not in settlement.OPEN_SESSION
        except FintocError as exc:
            log.info("session %s of order %s not expired yet: %s", session_id, order_id, exc)
    return await asyncio.to_thread(_cancel, order_id, reason, remote, closed)


async def abandon_checkout(order_token: object, reason: str = EXITED_WIDGET) -> tuple[str, str | None]:
    order_id = await asyncio.to_thread(_order_id_for, order_token)
    if order_id is None:
        raise StoreError(text("checkout.no_such_order"))
    return await abandon_order(order_id, reason)
