"""The email outbox: the emails the store owes its shoppers, as rows written beside the change that causes them.

`enqueue` runs inside the caller's transaction (the order becoming paid, shipped, refunded), so the email exists
exactly when the change does. Its key is unique and the insert is insert-or-ignore: a second confirmation, a
redelivered webhook, the reconciler or a concurrent worker adds nothing.

Senders (pepestore/mail/sender.py) claim due rows, one sender per row however many instances run: FOR UPDATE
SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite. A claim is a lease (claimed_until): a sender that dies
mid-send leaves the row to be claimed again once the lease is over. A failed send is retried after 1 minute,
then 2, 4, ... for 24 hours; then the row is failed and the order's timeline says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from pepestore.clock import as_utc
from pepestore.models import EmailOutbox, EmailStatus, Order, OrderEvent

KINDS = ("receipt", "shipped", "refund", "apology")
FIRST_RETRY = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(hours=24)
LEASE = timedelta(minutes=5)


def enqueue(session: Session, key: str, kind: str, order_id: int, to: str, *, amount: int | None = None,
            now: datetime) -> bool:
    """Owe this email once. True if this call added the row, False if the key was already there."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    values = dict(key=key[:80], kind=kind, order_id=order_id, to_address=to, amount=amount,
                  status=EmailStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(EmailOutbox).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return session.exec(statement).rowcount == 1


def claim_due(session: Session, now: datetime, limit: int = 20, token: str | None = None) -> list[int]:
    """Claim up to `limit` rows due now for this sender; commit before sending so other senders see the claim.

    `token` marks the claim as this sender's: marking the row sent or failed later only takes effect while the
    claim is still its own (a sender whose lease ran out must not undo another's work)."""
    due = or_(col(EmailOutbox.status) == EmailStatus.PENDING,
              (col(EmailOutbox.status) == EmailStatus.SENDING) & (col(EmailOutbox.claimed_until) <= now))
    query = (select(EmailOutbox.id).where(due, col(EmailOutbox.next_attempt_at) <= now)
             .order_by(col(EmailOutbox.next_attempt_at), col(EmailOutbox.id)).limit(limit))
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row_id in list(session.exec(query)):
        # On PostgreSQL the row is already ours (locked, skipped by the others); on SQLite the WHERE is the claim.
        taken = session.exec(update(EmailOutbox).where(col(EmailOutbox.id) == row_id, due)
                             .values(status=EmailStatus.SENDING, claimed_until=now + LEASE,
                                     claim_token=token)).rowcount
        if taken == 1:
            claimed.append(row_id)
    return claimed


def _ours(row_id: int, token: str | None):
    """The row, while this sender's claim on it stands (any claim when no token is given)."""
    mine = col(EmailOutbox.id) == row_id
    return mine if token is None else mine & (col(EmailOutbox.claim_token) == token) & (
        col(EmailOutbox.status) == EmailStatus.SENDING)


def mark_sent(session: Session, row_id: int, now: datetime, *, kept: bool = False, token: str | None = None) -> None:
    session.exec(update(EmailOutbox).where(_ours(row_id, token))
                 .values(status=EmailStatus.KEPT if kept else EmailStatus.SENT, sent_at=now, claimed_until=None,
                         claim_token=None, attempts=EmailOutbox.attempts + 1, last_error=None))


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed try: 1 minute, then doubling."""
    return FIRST_RETRY * (2 ** max(attempts - 1, 0))


def mark_failed_try(session: Session, row_id: int, error: str, now: datetime, *, final: bool = False,
                    token: str | None = None) -> str:
    """A try that did not deliver: retried later, the last try falling exactly at GIVE_UP_AFTER, then given up (at
    once when `final`: the row can never become an email). Returns the new status."""
    row = session.get(EmailOutbox, row_id)
    if row is None:
        return "gone"
    attempts = row.attempts + 1
    deadline = as_utc(row.created_at) + GIVE_UP_AFTER
    if final or now >= deadline:
        failed = session.exec(update(EmailOutbox).where(_ours(row_id, token))
                              .values(status=EmailStatus.FAILED, attempts=attempts, claimed_until=None,
                                      claim_token=None, last_error=error[:300])).rowcount
        if failed:
            session.add(OrderEvent(order_id=row.order_id, kind="email_failed", source="system",
                                   detail=f"{row.kind} email to {row.to_address} not delivered after {attempts} "
                                          f"tries: {error}"[:500], created_at=now))
            # Staff see it on the dashboard's review count, not only on the order's page.
            session.exec(update(Order).where(col(Order.id) == row.order_id).values(needs_review=True))
        return EmailStatus.FAILED if failed else "not ours any more"
    next_at = min(now + retry_delay(attempts), deadline)
    retried = session.exec(update(EmailOutbox).where(_ours(row_id, token))
                           .values(status=EmailStatus.PENDING, attempts=attempts, claimed_until=None,
                                   claim_token=None, next_attempt_at=next_at, last_error=error[:300])).rowcount
    return EmailStatus.PENDING if retried else "not ours any more"


def emails_of(session: Session, order_id: int) -> list[EmailOutbox]:
    return list(session.exec(select(EmailOutbox).where(EmailOutbox.order_id == order_id)
                             .order_by(col(EmailOutbox.id))))


def next_resend_key(session: Session, order_id: int) -> str:
    """A new key per resend: the caller holds the order's row lock, so two clicks get two numbers."""
    count = session.exec(select(func.count()).select_from(EmailOutbox)
                         .where(EmailOutbox.order_id == order_id,
                                col(EmailOutbox.key).startswith(f"receipt:{order_id}:resend:"))).one()
    return f"receipt:{order_id}:resend:{count + 1}"


def recent(session: Session, limit: int = 100) -> list[EmailOutbox]:
    return list(session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id).desc()).limit(limit)))
