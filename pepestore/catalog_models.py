"""Catalog-management tables: the stock ledger and product photos.

Kept beside pepestore/models.py (which imports this module) so every table the migrations manage is registered
whenever the models are imported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from pepestore.clock import utcnow


class StockReason:
    OPENING = "opening"  # the balance a product had when the ledger began (or when it was created)
    RECEIVED = "received"  # staff adjustments ...
    DAMAGED = "damaged"
    COUNT_CORRECTION = "count_correction"
    OTHER = "other"
    RESERVED = "reserved"  # an order took the units (placed, or a late payment taking them again)
    RELEASED = "released"  # a cancelled or expired order gave them back
    RESTOCKED = "restocked"  # staff put refunded units back on sale
    ADJUSTMENTS = (RECEIVED, DAMAGED, COUNT_CORRECTION, OTHER)


class StockMovement(SQLModel, table=True):
    """One change of one product's stock, written in the same transaction as the change itself.

    Append-only: for every product, the sum of `delta` equals Product.stock (tests/unit/test_stock_ledger.py)."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint("delta <> 0 OR reason = 'opening'", name="ck_stock_movement_delta"),
        Index("ix_stock_movement_product", "product_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    delta: int
    reason: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=300)
    order_id: int | None = Field(default=None, foreign_key="shop_order.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow)


class ProductPhoto(SQLModel, table=True):
    """A product photo, stored in the database as two re-encoded WebP renditions (see pepestore/store/photos.py
    for why the database). `digest` (SHA-256 of the large rendition) names it in its URL, so the URL of a given
    picture never changes and may be cached forever."""

    __tablename__ = "product_photo"
    __table_args__ = (
        UniqueConstraint("product_id", "digest", name="uq_product_photo_digest"),
        Index("ix_product_photo_product", "product_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", ondelete="CASCADE")
    digest: str = Field(max_length=64, index=True)
    position: int = 0
    is_main: bool = False
    width: int
    height: int
    large: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # 1200 px on the long side (or less)
    small: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # 480 px
    created_at: datetime = Field(default_factory=utcnow)
