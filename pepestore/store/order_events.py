"""Order events for extenders: your Python function, called once each time an order changes status.

    from pepestore.store import order_events

    @order_events.on("paid")
    def tell_the_warehouse(change: order_events.OrderChange) -> None:
        print(change.order_id, change.transition, change.source, change.at)

Transitions: paid, cancelled, expired, refunded, fulfilled (see TRANSITIONS). Register at import time, for
example in a module that pepestore/pepestore.py imports (docs/extending.md, "React to an order event").

What you can rely on:

- After the commit. A callback runs only once the transaction that made the change has committed, so the change
  is in the database when you read it; a transaction that rolls back calls nobody.
- Once per transition, whichever path made it: the webhook (also when Fintoc delivers the same event three times,
  or two workers receive it at once), the reconciler, the order page's check, the shopper cancelling, the back
  office. Every transition is a conditional UPDATE in pepestore/store/orders.py (`_transition`): only the one
  transaction whose UPDATE changed the row notes the change, and only that one calls you.
- A failing callback is logged (logger "pepestore.order_events") and the next one still runs. It cannot undo the
  payment: the money is already committed.
- Callbacks run in the thread that committed (a worker thread for the webhook and the state handlers), so a
  slow callback delays that request. Open your own session (`pepestore.db.session_scope()`) to read or write;
  the committing session cannot run SQL any more.

Why in-process after commit, not the outbox. The email outbox (pepestore/store/outbox.py) gives at-least-once
delivery that survives a crash, at the price of a table, a sender loop and callbacks that must tolerate being run
twice. An extender reacting to "paid" mostly wants a plain function called once; the rare crash between the commit
and the call (the process killed in that instant) loses the call, never the payment. Work that must survive a
crash belongs in a row written inside the transaction itself, the way the receipt email is (orders._owe_receipt):
the transition commits exactly when the row does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("pepestore.order_events")

TRANSITIONS = ("paid", "cancelled", "expired", "refunded", "fulfilled")
_PENDING = "pepestore.order_changes"  # key in Session.info: changes waiting for their transaction to commit


@dataclass(frozen=True)
class OrderChange:
    order_id: int
    transition: str  # one of TRANSITIONS
    source: str  # who caused it: shopper, webhook, reconciler, admin, system (orders.Source)
    at: datetime  # UTC, as stored


Callback = Callable[[OrderChange], None]
_callbacks: dict[str, list[Callback]] = {name: [] for name in TRANSITIONS}


def on(transition: str, callback: Callback | None = None):
    """Call `callback(change)` after each committed `transition`. Usable as a decorator; returns the callback."""
    if transition not in _callbacks:
        raise ValueError(f"unknown order transition {transition!r}; known: {', '.join(TRANSITIONS)}")

    def register(fn: Callback) -> Callback:
        _callbacks[transition].append(fn)
        return fn

    return register(callback) if callback is not None else register


def remove(transition: str, callback: Callback) -> None:
    """Stop calling `callback` (tests register and remove their own)."""
    if callback in _callbacks.get(transition, []):
        _callbacks[transition].remove(callback)


def note(session: Session, order_id: int, transition: str, source: str, at: datetime) -> None:
    """Called by the order services right after a conditional UPDATE changed the order's status."""
    if transition in _callbacks:
        session.info.setdefault(_PENDING, []).append(OrderChange(order_id, transition, source, at))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for change in session.info.pop(_PENDING, []):
        for callback in list(_callbacks[change.transition]):
            try:
                callback(change)
            except Exception:  # noqa: BLE001 - an extension must never undo or block the store's own work
                log.exception("order event callback %r failed for order %s %s", callback, change.order_id,
                              change.transition)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    # Only a rollback of the whole transaction lands here with changes noted; a savepoint never holds a transition.
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
