"""The stock ledger: every change of a product's stock is a StockMovement row, written in the same transaction as
the change, so for every product the ledger adds up to Product.stock.

What "held by open orders" means here. The store takes stock when an order is placed (orders.place_order), not
when it is paid: Product.stock is what is still for sale, and units held by orders waiting for payment (or paid
and not yet shipped) are already outside it. So a staff adjustment can remove at most Product.stock units: taking
stock to 0 leaves every held unit to its order, and the guarded UPDATE (`WHERE stock + delta >= 0`) keeps that
true against an order placed at the same moment, on PostgreSQL (row lock) and SQLite (one writer) alike. When a
held order is cancelled or expires its units come back as a `released` movement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from datetime import datetime

from sqlalchemy import bindparam, func, insert, text as sql, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from pepestore.catalog_models import StockMovement, StockReason
from pepestore.models import Order, OrderLine, OrderStatus, Product
from pepestore.i18n import text
from pepestore.store import inputs
from pepestore.store.errors import StoreError

if TYPE_CHECKING:
    from pepestore.store.staff import StaffMember

R = StockReason
MAX_ADJUSTMENT = 100_000
MAX_STOCK = 1_000_000
NOTE_MAX = 300
# The reasons staff choose from, as the back office names them (texts "stock_reason.<reason>", every reason has one).
REASON_LABELS = {
    R.RECEIVED: text("stock_reason.received"),
    R.DAMAGED: text("stock_reason.damaged"),
    R.COUNT_CORRECTION: text("stock_reason.count_correction"),
    R.OTHER: text("stock_reason.other"),
}
# Orders whose units are out of Product.stock and not (yet) on their way to a shopper.
HOLDING = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def log(session: Session, product_id: int, delta: int, reason: str, now: datetime | None = None, *,
        order_id: int | None = None, staff_id: int | None = None, note: str | None = None) -> None:
    """Write the movement for a change the caller has just made (or is making) in this transaction."""
    session.add(StockMovement(product_id=product_id, delta=delta, reason=reason, order_id=order_id,
                              staff_id=staff_id, note=(note or None) and note[:NOTE_MAX],
                              **({"created_at": now} if now else {})))


def log_order(session: Session, order_id: int, lines: Iterable[tuple[int, int]], reason: str,
              now: datetime | None = None) -> None:
    """(product_id, signed delta) lines moved for an order: reserved (negative), released or restocked."""
    for product_id, delta in lines:
        if delta:
            log(session, product_id, delta, reason, now, order_id=order_id)


_MOVEMENT = insert(StockMovement)

# Guarded: stock never goes below 0, whatever was read before (SQLite takes no row locks). Built once: building and
# compiling a statement costs more than the database takes to run it.
_TAKE = (update(Product).where(col(Product.id) == bindparam("pid"), col(Product.stock) >= bindparam("qty"))
         .values(stock=col(Product.stock) - bindparam("qty")))
_GIVE_BACK = (update(Product).where(col(Product.id) == bindparam("pid"))
              .values(stock=col(Product.stock) + bindparam("qty")))
# PostgreSQL takes every line in one statement, each row guarded as above; the ids it returns are the lines taken.
_TAKE_ALL = sql(
    "UPDATE product SET stock = product.stock - line.qty"
    " FROM unnest(CAST(:pids AS integer[]), CAST(:qtys AS integer[])) AS line(pid, qty)"
    " WHERE product.id = line.pid AND product.stock >= line.qty RETURNING product.id")
_GIVE_BACK_ALL = sql(
    "UPDATE product SET stock = product.stock + line.qty"
    " FROM unnest(CAST(:pids AS integer[]), CAST(:qtys AS integer[])) AS line(pid, qty)"
    " WHERE product.id = line.pid")
_LOCK = (select(Product.id).where(col(Product.id).in_(bindparam("pids", expanding=True)))
         .order_by(col(Product.id)).with_for_update(key_share=True))


def take(connection: Connection, wanted: Iterable[tuple[int, int, str]], *, locked: bool = False) -> str | None:
    """Take (product_id, quantity, name) lines all or nothing; the name of the first (by id) that ran short.

    A refusal leaves the stock as it found it (the lines taken are given back), so the transaction stays usable
    without a savepoint. `locked`: the caller already holds these product rows' locks (taken in id order, the lock
    order in orders.py); otherwise they are locked here first, in id order, so two takes never deadlock. On
    PostgreSQL the lines go in one guarded UPDATE (the rows are locked, so its own row order does not matter); on
    SQLite (one writer at a time) one guarded UPDATE per product. No ledger rows: the caller writes them.
    """
    lines: dict[int, list] = {}
    for product_id, quantity, name in sorted(wanted):
        lines.setdefault(product_id, [0, name])[0] += quantity  # one product twice is one guarded take of the sum
    if not lines:
        return None
    if connection.dialect.name != "postgresql":
        taken: list[tuple[int, int]] = []
        for product_id, (quantity, name) in lines.items():
            if connection.execute(_TAKE, {"pid": product_id, "qty": quantity}).rowcount != 1:
                give_back(connection, taken)
                return name
            taken.append((product_id, quantity))
        return None
    if not locked:
        connection.execute(_LOCK, {"pids": list(lines)})
    got = set(connection.execute(_TAKE_ALL, {"pids": list(lines), "qtys": [q for q, _ in lines.values()]}).scalars())
    if len(got) == len(lines):
        return None
    give_back(connection, [(product_id, lines[product_id][0]) for product_id in got])
    return next(name for product_id, (_, name) in lines.items() if product_id not in got)


def give_back(connection: Connection, taken: list[tuple[int, int]]) -> None:
    """Put (product_id, quantity) back: undoes this transaction's own takes (stock as it was found)."""
    if not taken:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(_GIVE_BACK_ALL, {"pids": [p for p, _ in taken], "qtys": [q for _, q in taken]})
        return
    for product_id, quantity in taken:
        connection.execute(_GIVE_BACK, {"pid": product_id, "qty": quantity})


def log_order_now(connection: Connection, order_id: int, lines: Iterable[tuple[int, int]], reason: str,
                  now: datetime) -> None:
    """log_order, written at once in one statement, without ORM objects (checkout, the busiest write). The order
    row must already be in the database."""
    rows = [{"product_id": product_id, "delta": delta, "reason": reason, "order_id": order_id, "staff_id": None,
             "note": None, "created_at": now} for product_id, delta in lines if delta]
    if rows:
        connection.execute(_MOVEMENT, rows)


def held_by_orders(session: Session, product_id: int) -> int:
    """Units of this product in orders waiting for payment or paid and not shipped: informational for staff."""
    return session.exec(
        select(func.coalesce(func.sum(OrderLine.quantity), 0)).join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(OrderLine.product_id == product_id, col(Order.status).in_(HOLDING))
    ).one()


def ledger_total(session: Session, product_id: int) -> int:
    return session.exec(select(func.coalesce(func.sum(StockMovement.delta), 0))
                        .where(StockMovement.product_id == product_id)).one()


def history(session: Session, product_id: int, limit: int = 50) -> list[StockMovement]:
    return list(session.exec(select(StockMovement).where(StockMovement.product_id == product_id)
                             .order_by(col(StockMovement.id).desc()).limit(limit)))


def adjust(session: Session, raw_product_id: object, raw_delta: object, raw_reason: object, raw_note: object,
           member: StaffMember, now: datetime, ip: str | None = None) -> int:
    """Add (or remove, with a negative delta) units by hand, with a reason and a note. Returns the new stock."""
    product_id = inputs.product_id(raw_product_id)
    if isinstance(raw_delta, str):
        typed = raw_delta.strip()
        sign, digits = (-1, typed[1:]) if typed.startswith("-") else (1, typed.lstrip("+"))
        delta = sign * inputs.whole_number(digits, what="The change", low=1, high=MAX_ADJUSTMENT) if digits else 0
    elif isinstance(raw_delta, int) and not isinstance(raw_delta, bool):
        delta = raw_delta
    else:
        delta = 0
    if not delta or abs(delta) > MAX_ADJUSTMENT:
        raise StoreError(text("admin.stock_delta", max=f"{MAX_ADJUSTMENT:,}".replace(",", ".")))
    if raw_reason not in R.ADJUSTMENTS:
        raise StoreError(text("admin.stock_choose_reason"))
    note = raw_note.strip() if isinstance(raw_note, str) else ""
    if len(note) > NOTE_MAX:
        raise StoreError(text("admin.note_long", max=NOTE_MAX))
    if raw_reason in (R.COUNT_CORRECTION, R.OTHER) and len(note) < 3:
        raise StoreError(text("admin.note_short"))
    product = session.get(Product, product_id)
    if product is None:
        raise StoreError(text("cart.no_such_product"))
    # One guarded UPDATE: an order taking units at this very moment is either before it (and the floor sees the
    # lower stock) or after it; stock never goes below 0, so never into the units orders hold.
    changed = session.exec(
        update(Product).where(col(Product.id) == product_id, col(Product.stock) + delta >= 0,
                              col(Product.stock) + delta <= MAX_STOCK)
        .values(stock=Product.stock + delta, updated_at=now)
    ).rowcount
    if changed != 1:
        current = session.exec(select(Product.stock).where(Product.id == product_id)).one()
        if current + delta > MAX_STOCK:
            raise StoreError(text("admin.stock_above_max", max=f"{MAX_STOCK:,}".replace(",", ".")))
        held = held_by_orders(session, product_id)
        raise StoreError(text("admin.stock_remove_most_held", current=current, held=held) if held
                         else text("admin.stock_remove_most", current=current))
    log(session, product_id, delta, raw_reason, now, staff_id=member.id, note=note)
    from pepestore.store.staff import audit  # here: staff -> orders -> this module would be a cycle at import
    new_stock = session.exec(select(Product.stock).where(Product.id == product_id)).one()
    audit(session, "stock_adjusted", member.email, now, staff_id=member.id, ip=ip,
          # the audit log is written in English, as every other entry
          detail=f"{product.slug}: {delta:+d} ({REASON_LABELS[raw_reason].say('en')}) -> {new_stock}"
                 + (f"; {note}" if note else ""))
    return new_stock
