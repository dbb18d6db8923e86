"""Database tables. Amounts are integer CLP; carts hold quantities only, never prices."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
    active: bool = True


class Cart(SQLModel, table=True):
    __tablename__ = "cart"

    id: int | None = Field(default=None, primary_key=True)
    # Opaque random token kept by the browser; it is the only way to reach a cart.
    token: str = Field(max_length=64, unique=True, index=True)
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


# The sandbox's tables live beside its code; importing them here registers every table the migrations manage
# whenever the models are imported, whether or not this store runs the sandbox.
from pepestore.payments.sandbox import models as _sandbox_models  # noqa: E402, F401
