"""Placing an order from a cart, and attaching its payment session: the two transactions of every checkout.

The rules are orders.place_order's (its docstring and the lock order at the top of orders.py); this module is how
they run. Checkout is the store's busiest write and 20 shoppers paying at once share one core and the GIL, so the
common path is prepared SQL Core statements on the session's connection, with as few round trips as the rules
allow, instead of loading, tracking and flushing ORM objects:

    cart row locked (this address's open orders counted in the same read) -> the cart's open orders locked
    -> cart lines read with their products, locked in id order -> the stock taken (stock.take) -> the order
    -> its lines, its ledger rows and its "placed" event -> commit

On PostgreSQL the stock is one guarded UPDATE for all lines, the lines, ledger rows and event one statement, and
checkout's placement commits without waiting for the WAL flush (place's durable_by_attach): 6 statements, and 1 for
attaching the session. On SQLite (one writer, no row locks) one statement per product and per table.

The rare path (the cart changed while an older order waited) cancels the older orders through orders.cancel_order,
so their release of stock, ledger rows, events and extender hooks are exactly those of every other cancellation.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, literal, or_, select, text as text_sql, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from pepestore.catalog_models import StockReason
from pepestore.i18n import text
from pepestore.models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderStatus, Product
from pepestore.money import format_clp
from pepestore.settings import get_settings
from pepestore.store import orders, stock
from pepestore.store.cart import is_well_formed_token
from pepestore.store.errors import StoreError

S = OrderStatus


@dataclass(frozen=True)
class Placed:
    """What checkout needs of the order it placed (or reused): no ORM object is built for it."""

    id: int
    public_token: str
    total: int
    email: str
    expires_at: datetime
    session_token: str | None
    redirect_url: str | None
    # Open orders of this cart that this placement cancelled and that have a payment session: it must be closed.
    replaced: list[tuple[int, str]] = field(default_factory=list)


# The statements, built once: building and compiling a statement costs more than PostgreSQL takes to run it.
_ORDER = Order.__table__
_CART = (
    select(
        Cart.id, Cart.revision,
        # Counted with the cart read, to save a round trip; checked after the stock (a refusal for stock first).
        select(func.count()).select_from(_ORDER)
        .where(col(Order.client_ip) == bindparam("ip"), col(Order.status) == S.PENDING_PAYMENT)
        .scalar_subquery(),
    )
    .where(col(Cart.token) == bindparam("token"))
    .with_for_update(of=Cart)
)
# The cart's open orders, and the closed one (exited, expired) that may already hold this cart revision: the new
# order then needs a revision of its own. Read after the cart lock is held, so no order placed meanwhile is missed.
_ORDERS = (
    select(Order.id, Order.status, Order.cart_revision, Order.public_token, Order.total, Order.customer_email,
           Order.expires_at, Order.fintoc_session_id, Order.fintoc_session_token, Order.fintoc_redirect_url,
           Order.client_ip)
    .where(col(Order.cart_id) == bindparam("cid"),
           or_(col(Order.status) == S.PENDING_PAYMENT, col(Order.cart_revision) == bindparam("revision")))
    .order_by(col(Order.id))
    .with_for_update(key_share=True)
)
# Cart lines with their products, the product rows locked as they are read. PostgreSQL sorts before it locks, so
# the locks are taken in ascending product id (the lock order); NO KEY UPDATE is the lock the stock UPDATE takes
# anyway (a plain FOR UPDATE would also block the key-share locks of inserting cart and order lines).
_LINES = (
    select(CartLine.added_at, col(CartLine.id).label("line_id"), CartLine.quantity,
           col(Product.id).label("product_id"), Product.name, Product.image, Product.price, Product.stock,
           Product.active)
    .join(Product, col(CartLine.product_id) == col(Product.id))
    .where(col(CartLine.cart_id) == bindparam("cid"))
    .order_by(col(Product.id))
    .with_for_update(of=Product, key_share=True)
)
_NEXT_REVISION = update(Cart).where(col(Cart.id) == bindparam("cid")).values(revision=col(Cart.revision) + 1)
# ON CONFLICT DO NOTHING: another tab that placed this very cart revision a moment ago (SQLite has no row lock to
# queue behind) shows as no row, and the transaction stays usable (no savepoint needed to survive the error).
_NEW_ORDER = {
    "postgresql": postgresql.insert(Order).on_conflict_do_nothing().returning(Order.id),
    "sqlite": sqlite.insert(Order).on_conflict_do_nothing().returning(Order.id),
}
_NEW_LINES = insert(OrderLine)
_EVENT = insert(OrderEvent)
# Attach only a first session: a retry that finds one keeps it (one payment session per order).
_ATTACH = (
    update(Order).where(col(Order.id) == bindparam("oid"), col(Order.fintoc_session_id).is_(None))
    .values(fintoc_session_id=bindparam("sid"), fintoc_session_token=bindparam("stoken"),
            fintoc_redirect_url=bindparam("url"), updated_at=bindparam("at"))
    .returning(Order.status)
)
# The cart read that also tells PostgreSQL not to wait for this transaction's WAL flush at COMMIT (see place's
# durable_by_attach): set_config(..., true) is SET LOCAL, here without a round trip of its own.
_CART_NO_FLUSH_WAIT = _CART.add_columns(func.set_config("synchronous_commit", "off", True))
_FLUSH_WAIT = text_sql("SET LOCAL synchronous_commit = on")
# PostgreSQL: the order's lines, their ledger rows and its "placed" event in one statement (one round trip instead
# of three). The columns are those of _NEW_LINES, stock.log_order_now and _event; the lines go in the given order.
_CHILDREN_PG = text_sql(
    "WITH line AS (SELECT * FROM unnest(CAST(:pids AS integer[]), CAST(:names AS varchar[]),"
    " CAST(:images AS varchar[]), CAST(:prices AS integer[]), CAST(:qtys AS integer[]))"
    " AS line(product_id, name, image, unit_price, quantity)),"
    " lines AS (INSERT INTO order_line (order_id, product_id, name, image, unit_price, quantity)"
    " SELECT :oid, product_id, name, image, unit_price, quantity FROM line),"
    " ledger AS (INSERT INTO stock_movement (product_id, delta, reason, note, order_id, staff_id, created_at)"
    " SELECT product_id, -quantity, :reason, NULL, :oid, NULL, :at FROM line)"
    " INSERT INTO order_event (order_id, kind, source, detail, created_at)"
    " VALUES (:oid, 'placed', :source, :detail, :at)")
# PostgreSQL: the attach and its "session_created" event in one statement (an event only if the attach happened).
_ATTACHED = _ATTACH.returning(Order.id).cte("attached")
_ATTACH_WITH_EVENT_PG = select(_ATTACHED.c.status).add_cte(
    insert(OrderEvent).from_select(
        ["order_id", "kind", "source", "detail", "created_at"],
        select(_ATTACHED.c.id, literal("session_created"), literal(orders.Source.SHOPPER), bindparam("sid"),
               bindparam("at")))
    .cte("session_created"))
_STATUS_LOCKED = select(Order.status).where(col(Order.id) == bindparam("oid")).with_for_update(key_share=True)


def _event(connection: Connection, order_id: int, kind: str, detail: str, now: datetime) -> None:
    """orders.record, written at once (the order row exists)."""
    connection.execute(_EVENT, {"order_id": order_id, "kind": kind, "source": orders.Source.SHOPPER,
                                "detail": detail[:500] or None, "created_at": now})


def _forget(session: Session, model, ids) -> None:
    """Expire rows these statements changed that the session already holds, so ORM readers see the new values."""
    if len(session.identity_map):
        for ident in ids:
            held = session.identity_map.get(session.identity_key(model, ident))
            if held is not None:
                session.expire(held)


def _take_stock(connection: Connection, wanted: list[tuple[int, int, str]]) -> str | None:
    """stock.take of the order's lines, whose product rows _LINES (or lock_products) has locked in id order."""
    return stock.take(connection, wanted, locked=True)


def place(session: Session, cart_token: object, raw_email: object, client_token: str | None, now: datetime, *,
          client_ip: str | None = None, admit: Callable[[], None] | None = None,
          durable_by_attach: bool = False) -> Placed:
    """orders.place_order, returning what checkout needs instead of an ORM Order.

    durable_by_attach: the caller makes the new order payable only through attach_session, whose COMMIT waits for
    the WAL flush as usual (checkout). Then, on PostgreSQL, this transaction's COMMIT does not wait for its own: the
    attach's flush writes the WAL up to and past it (the log is written in order), and until that flush nobody
    holds a way to pay the order. A crash of PostgreSQL in between (the WAL writer flushes within 0.6 s anyway)
    can lose only a placement no shopper could pay yet, its stock hold and ledger rows with it (one transaction),
    and the shopper's checkout fails at the attach. What it saves: a flush wait (1-2 ms on this machine) during
    which the cart and product row locks were still held, so other checkouts of the same products queued behind
    it. Not when this placement cancels older orders (a cancellation is recorded durably before it is acted on).
    """
    email = orders.valid_email(raw_email)
    connection = session.connection()
    found = None
    postgres = connection.dialect.name == "postgresql"
    if is_well_formed_token(cart_token):
        found = connection.execute(_CART_NO_FLUSH_WAIT if durable_by_attach and postgres else _CART,
                                   {"token": cart_token, "ip": client_ip}).first()
    if found is None:
        raise StoreError(text("checkout.cart_empty"))
    cart_id, revision, open_here = found[:3]
    open_orders, revision_used = [], False
    for row in connection.execute(_ORDERS, {"cid": cart_id, "revision": revision}):
        if row.status != S.PENDING_PAYMENT:
            revision_used = True
        elif row.cart_revision == revision:
            return Placed(row.id, row.public_token, row.total, row.customer_email, row.expires_at,
                          row.fintoc_session_token, row.fintoc_redirect_url)
        else:
            open_orders.append(row)
    replaced = []
    if open_orders:
        if durable_by_attach and postgres:
            connection.execute(_FLUSH_WAIT)  # cancelling orders: recorded durably before they are acted on
        # Products last, all at once and in id order: those the replaced orders give back and those this one takes.
        replaced_ids = [row.id for row in open_orders]
        orders.lock_products(session, [
            *connection.execute(select(CartLine.product_id).where(col(CartLine.cart_id) == cart_id)).scalars(),
            *connection.execute(select(OrderLine.product_id).where(col(OrderLine.order_id).in_(replaced_ids)))
            .scalars(),
        ])
        for row in open_orders:
            orders.cancel_order(session, row.id, orders.Source.SHOPPER, "replaced by an order for the changed cart",
                                now)
            if row.client_ip == client_ip:
                open_here -= 1
            if row.fintoc_session_id:
                replaced.append((row.id, row.fintoc_session_id))
    # In id order (the lock order); the order's lines in the order the shopper added them.
    by_id = connection.execute(_LINES, {"cid": cart_id}).all()
    if not by_id:
        raise StoreError(text("checkout.cart_empty"))
    rows = sorted(by_id, key=lambda row: (row.added_at, row.line_id))
    for _added, _line_id, quantity, _product_id, name, _image, _price, in_stock, active in rows:
        if not active:
            raise StoreError(text("checkout.unavailable", name=name))
        if in_stock == 0:
            raise StoreError(text("checkout.sold_out", name=name))
        if quantity > in_stock:
            raise StoreError(text("checkout.only_left", count=in_stock, name=name))
    total = sum(row.price * row.quantity for row in rows)
    if total > orders.MAX_ORDER_TOTAL:
        raise StoreError(text("checkout.limit", limit=format_clp(orders.MAX_ORDER_TOTAL)))
    if client_ip and open_here >= get_settings().pending_orders_per_ip:
        raise StoreError(text("checkout.too_many_open", count=open_here))

    taken = [(row.product_id, row.quantity) for row in by_id]
    short = _take_stock(connection, [(row.product_id, row.quantity, row.name) for row in by_id])
    _forget(session, Product, [product_id for product_id, _ in taken])
    if short is not None:
        raise StoreError(text("checkout.just_sold_out", name=short))
    if admit is not None:
        try:
            admit()  # last: a refusal for stock or input must not spend the shopper's allowance
        except Exception:
            stock.give_back(connection, taken)
            raise
    if revision_used:
        connection.execute(_NEXT_REVISION, {"cid": cart_id})
        _forget(session, Cart, [cart_id])
        revision += 1
    public_token = secrets.token_urlsafe(24)
    expires_at = now + timedelta(minutes=get_settings().order_ttl_minutes)
    order_id = connection.execute(_NEW_ORDER[connection.dialect.name], {
        "public_token": public_token, "status": S.PENDING_PAYMENT, "total": total, "customer_email": email,
        "cart_id": cart_id, "cart_revision": revision, "client_token": client_token,
        "client_ip": client_ip[:64] if client_ip else None, "created_at": now, "updated_at": now,
        "expires_at": expires_at,
    }).scalar()
    if order_id is None:
        # Another tab placed this very cart a moment ago.
        stock.give_back(connection, taken)
        raise StoreError(text("checkout.other_tab"))
    placed = f"{sum(row.quantity for row in rows)} items, total {format_clp(total)}"
    if postgres:
        connection.execute(_CHILDREN_PG, {
            "oid": order_id, "pids": [row.product_id for row in rows], "names": [row.name for row in rows],
            "images": [row.image for row in rows], "prices": [row.price for row in rows],
            "qtys": [row.quantity for row in rows], "reason": StockReason.RESERVED, "source": orders.Source.SHOPPER,
            "detail": placed, "at": now})
    else:
        connection.execute(_NEW_LINES, [
            {"order_id": order_id, "product_id": row.product_id, "name": row.name, "image": row.image,
             "unit_price": row.price, "quantity": row.quantity}
            for row in rows
        ])
        stock.log_order_now(connection, order_id, [(row.product_id, -row.quantity) for row in rows],
                            StockReason.RESERVED, now)
        _event(connection, order_id, "placed", placed, now)
    return Placed(order_id, public_token, total, email, expires_at, None, None, replaced)


def attach_session(session: Session, order_id: int, session_id: str, session_token: str | None,
                   redirect_url: str | None, now: datetime) -> str:
    """Record the order's payment session (the first one only); the order's status."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    status = connection.execute(_ATTACH_WITH_EVENT_PG if postgres else _ATTACH, {
        "oid": order_id, "sid": session_id, "stoken": session_token, "url": redirect_url, "at": now}).scalar()
    if status is None:
        return connection.execute(_STATUS_LOCKED, {"oid": order_id}).scalar_one()
    if not postgres:
        _event(connection, order_id, "session_created", session_id, now)
    _forget(session, Order, [order_id])
    return status
