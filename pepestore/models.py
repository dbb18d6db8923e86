"""Database tables. Amounts are integer CLP; carts hold quantities only, never prices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# The sandbox's tables live beside its code; importing them here registers every table the migrations manage
# whenever the models are imported, whether or not this store runs the sandbox. They import nothing of this
# module (only pepestore.clock), so either module can be imported first.
from pepestore.clock import as_utc, utcnow  # noqa: F401 - re-exported: callers read the time beside the tables
from pepestore.payments.sandbox import models as _sandbox_models  # noqa: F401
from pepestore import search_index
from pepestore import staff_models as _staff_models  # noqa: F401 - staff, their sessions, the audit log
from pepestore import catalog_models as _catalog_models  # noqa: F401 - stock ledger, product photos


class Product(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price > 0", name="ck_product_price_positive"),
        CheckConstraint("stock >= 0", name="ck_product_stock_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=120)
    description: str = Field(max_length=2000)
    category: str = Field(max_length=60, index=True)
    price: int
    stock: int = 0
    image: str = Field(max_length=200)
    active: bool = True  # "published": an inactive product is gone from the shop, still readable on past orders
    # Optimistic concurrency for staff edits: a save names the version it was read at and is refused if another
    # save came first (pepestore/store/products_admin.py). Stock moves through the ledger and never bumps it.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Last change to anything a shopper sees (price, name, published, photo, stock adjustments by staff): open
    # catalog pages poll max(updated_at) with the ledger's last id to know when to refresh (pepestore/store/live.py).
    updated_at: datetime = Field(default_factory=utcnow, index=True)


# Search's index (FTS5 on SQLite, trigram GIN on PostgreSQL) follows the table wherever create_all makes it.
search_index.attach(Product.__table__)


class Cart(SQLModel, table=True):
    __tablename__ = "cart"

    id: int | None = Field(default=None, primary_key=True)
    # Opaque random token kept by the browser; it is the only way to reach a cart.
    token: str = Field(max_length=64, unique=True, index=True)
    # Bumped by every change to the cart's lines: an order placed for (cart, revision) is the same order
    # however many times the shopper clicks "Pay", and a changed cart is a new order.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CartLine(SQLModel, table=True):
    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id", name="uq_cart_line_product"),
        CheckConstraint("quantity > 0", name="ck_cart_line_quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="cart.id", index=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="product.id")
    quantity: int
    added_at: datetime = Field(default_factory=utcnow)


class OrderStatus:
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    # Money arrived for an order whose stock was gone by then: it must be refunded, never silently kept.
    PAID_NEEDS_REFUND = "paid_needs_refund"


class Order(SQLModel, table=True):
    __tablename__ = "shop_order"  # "order" is an SQL keyword
    __table_args__ = (
        UniqueConstraint("cart_id", "cart_revision", name="uq_order_cart_revision"),
        CheckConstraint("total > 0", name="ck_order_total_positive"),
        Index("ix_shop_order_client_ip_status", "client_ip", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Random and unguessable: the status page URL is the shopper's only key to the order.
    public_token: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(max_length=24, index=True)
    status_reason: str | None = Field(default=None, max_length=200)
    total: int
    currency: str = Field(default="CLP", max_length=3)
    customer_email: str = Field(max_length=320)
    cart_id: int | None = Field(default=None, foreign_key="cart.id", ondelete="SET NULL")
    cart_revision: int
    client_token: str | None = Field(default=None, max_length=128)
    # Where the order was placed from: open orders per address are limited (pepestore/limits.py).
    client_ip: str | None = Field(default=None, max_length=64)
    fintoc_session_id: str | None = Field(default=None, max_length=64, unique=True)
    fintoc_session_token: str | None = Field(default=None, max_length=200)
    fintoc_redirect_url: str | None = Field(default=None, max_length=2000)
    payment_intent_id: str | None = Field(default=None, max_length=64, index=True)
    needs_review: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # Sum of the refunds Fintoc reported as succeeded (see OrderRefund); `refunded` only once it reaches total.
    refunded_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    paid_at: datetime | None = None
    # What the payment actually brought in (it may differ from total: then the order must be refunded that amount).
    paid_amount: int | None = None
    # Set when staff mark the order shipped.
    carrier: str | None = Field(default=None, max_length=32)
    tracking_number: str | None = Field(default=None, max_length=64)
    # The reconciler's claim: no worker reads this order from Fintoc again before this moment, so N workers or
    # instances read each order once per interval, not N times.
    next_check_at: datetime | None = None
    # Set when the order closed here (cancelled, expired) while its Fintoc session may still be payable; cleared
    # once Fintoc confirms the session is closed. The reconciler retries until then.
    fintoc_close_pending_since: datetime | None = Field(default=None, index=True)


class OrderLine(SQLModel, table=True):
    """What was bought, as it was at order time: later price or name changes never rewrite an order."""

    __tablename__ = "order_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_line_quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    name: str = Field(max_length=120)
    image: str = Field(max_length=200)
    unit_price: int
    quantity: int
    # Units staff put back on sale after a refund (never more than were bought).
    restocked: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OrderEvent(SQLModel, table=True):
    """Append-only history of an order: every state change and every note, with who caused it."""

    __tablename__ = "order_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    kind: str = Field(max_length=32)  # placed, session_created, paid, cancelled, expired, refunded, flagged, note
    source: str = Field(max_length=16)  # shopper, webhook, reconciler, admin, system
    detail: str | None = Field(default=None, max_length=500)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # who, when the source is admin
    created_at: datetime = Field(default_factory=utcnow)


class RefundStatus:
    REQUESTED = "requested"  # written by staff, not yet accepted by Fintoc (a failed call is retried)
    IN_PROGRESS = "in_progress"  # Fintoc has it
    SUCCEEDED = "succeeded"  # counted in the order's refunded_total
    FAILED = "failed"
    REVIEW = "review"  # Fintoc reported something that does not fit the order: a person decides
    HOLDING = (REQUESTED, IN_PROGRESS, SUCCEEDED, REVIEW)  # what counts against the amount left to refund


class OrderRefund(SQLModel, table=True):
    """A refund of an order: asked for by staff here (its id is the Idempotency-Key sent to Fintoc), or reported by
    Fintoc (made elsewhere). Its Fintoc id is unique: a refund counts once, however many events deliver it."""

    __tablename__ = "order_refund"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_order_refund_amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    fintoc_refund_id: str | None = Field(default=None, max_length=64, unique=True)
    amount: int
    status: str = Field(default=RefundStatus.SUCCEEDED, max_length=16, index=True,
                        sa_column_kwargs={"server_default": RefundStatus.SUCCEEDED})
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # who asked, for refunds made here
    failure_reason: str | None = Field(default=None, max_length=200)
    requested_at: datetime | None = None
    recorded_at: datetime = Field(default_factory=utcnow)  # when it last changed


class PaymentEvent(SQLModel, table=True):
    """Every verified webhook Fintoc sent, stored in the same transaction as its effect."""

    __tablename__ = "payment_event"

    id: int | None = Field(default=None, primary_key=True)
    fintoc_event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=80)
    mode: str = Field(default="", max_length=8)
    raw_body: str
    order_id: int | None = Field(default=None, foreign_key="shop_order.id", index=True)
    outcome: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utcnow)


class EmailStatus:
    PENDING = "pending"  # waiting to be sent (again, after a failed try, once next_attempt_at has come)
    SENDING = "sending"  # claimed by one sender until claimed_until; a sender that died leaves it to be claimed again
    SENT = "sent"
    KEPT = "kept"  # sandbox without SMTP_URL: shown at /sandbox/mail instead of sent
    FAILED = "failed"  # gave up after a day of retries; the order's timeline says so


class EmailOutbox(SQLModel, table=True):
    """An email the store owes a shopper, written in the same transaction as the change that causes it.

    The key (receipt:<order id>, refund:<refund id>, ...) is unique: however often the cause is replayed (a
    redelivered webhook, the reconciler, two workers at once), there is one row, so one email."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True, index=True)
    kind: str = Field(max_length=16)  # receipt, shipped, refund, apology
    order_id: int = Field(foreign_key="shop_order.id", index=True)
    to_address: str = Field(max_length=320)
    amount: int | None = None  # the refund's amount, for refund emails
    status: str = Field(default=EmailStatus.PENDING, max_length=16)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    claim_token: str | None = Field(default=None, max_length=32)  # whose claim: only it may mark the row
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
