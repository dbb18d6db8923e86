"""Carts: quantities kept in the database under an opaque browser token, priced from the catalog on every read."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pepestore.models import Cart, CartLine, Product, utcnow
from pepestore.settings import get_settings
from pepestore.store import inputs
from pepestore.i18n import Text, text
from pepestore.store.errors import StoreError

# secrets.token_urlsafe(32) gives 43 characters of URL-safe base64.
_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN_PATTERN.match(token))


@dataclass(frozen=True)
class CartLineView:
    product_id: int
    slug: str
    name: str
    image: str
    unit_price: int
    quantity: int
    stock: int
    available: bool = True  # False once staff unpublish the product: it stays in the cart, marked, unbuyable

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def problem(self) -> Text | None:
        """Why this line cannot be bought as it stands (stock can fall after it was added), or None."""
        if not self.available:
            return text("cart.line_unavailable")
        if self.stock == 0:
            return text("cart.line_sold_out")
        if self.quantity > self.stock:
            return text("cart.line_short", count=self.stock)
        return None


@dataclass(frozen=True)
class CartView:
    token: str = ""
    lines: list[CartLineView] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)


@dataclass(frozen=True)
class CartChange:
    cart: CartView
    notice: Text | None = None  # set when the request was honoured only in part (a clamped quantity)
    product_name: str = ""


def _find_cart(session: Session, token: object, *, for_update: bool = False) -> Cart | None:
    if not is_well_formed_token(token):
        return None
    statement = select(Cart).where(Cart.token == token)
    if for_update:
        # Serialise changes to one cart (two tabs, a double click) so no increment is lost.
        statement = statement.with_for_update()
    return session.exec(statement).first()


# Every cart event reads the lines: plain columns (no ORM objects to build and track), one cached statement.
_LINES = (
    select(Product.id, Product.slug, Product.name, Product.image, Product.price, CartLine.quantity, Product.stock,
           Product.active)
    .join(Product, col(CartLine.product_id) == col(Product.id))
    .where(col(CartLine.cart_id) == bindparam("cid"))
    .order_by(col(CartLine.added_at), col(CartLine.id))
)


def _view(session: Session, cart: Cart | _CartRow | None) -> CartView:
    if cart is None:
        return CartView()
    rows = session.connection().execute(_LINES, {"cid": cart.id})
    lines = [
        CartLineView(product_id=pid, slug=slug, name=name, image=image, unit_price=price, quantity=quantity,
                     stock=stock if active else 0, available=active)
        for pid, slug, name, image, price, quantity, stock, active in rows
    ]
    return CartView(token=cart.token, lines=lines)


def _line_of(session: Session, cart_id: int, product_id: int) -> CartLine | None:
    return session.exec(
        select(CartLine).where(CartLine.cart_id == cart_id, CartLine.product_id == product_id)
    ).first()


def load_cart(session: Session, token: object) -> CartView:
    """The cart behind a token; an unknown or malformed token reads as an empty cart with no token."""
    return _view(session, _find_cart(session, token))


def _purchasable(session: Session, raw_product_id: object) -> Product:
    product = session.get(Product, inputs.product_id(raw_product_id))
    if product is None or not product.active:
        raise StoreError(text("cart.no_such_product"))
    return product


def _clamp(product: Product | _ProductRow, wanted: int, *, already: bool = False) -> tuple[int, Text | None]:
    """The quantity we can honour and, if it is less than wanted, the reason in the shopper's words."""
    limit = get_settings().cart_max_line_quantity
    if product.stock == 0:
        raise StoreError(text("cart.sold_out", name=product.name))
    if wanted > product.stock and product.stock <= limit:
        return product.stock, text("cart.only_in_stock_already" if already else "cart.only_in_stock",
                                   count=product.stock, name=product.name)
    if wanted > limit:
        return limit, text("cart.line_limit_already" if already else "cart.line_limit", limit=limit)
    return wanted, None


@dataclass(frozen=True)
class _CartRow:
    id: int
    token: str


@dataclass(frozen=True)
class _ProductRow:
    id: int
    name: str
    stock: int


# add_item's statements, built once (building a statement costs more than SQLite takes to run it).
_PRODUCT = select(Product.id, Product.name, Product.stock).where(col(Product.id) == bindparam("pid"),
                                                                 col(Product.active))
# Serialise changes to one cart (two tabs, a double click) so no increment is lost.
_CART_FOR_UPDATE = select(Cart.id).where(col(Cart.token) == bindparam("token")).with_for_update()
_THIS_LINE = (col(CartLine.cart_id) == bindparam("cid")) & (col(CartLine.product_id) == bindparam("pid"))
_LINE_QUANTITY = select(CartLine.quantity).where(_THIS_LINE)
_SET_LINE_QUANTITY = update(CartLine).where(_THIS_LINE).values(quantity=bindparam("new_quantity"))
_NEW_LINE = insert(CartLine).values(cart_id=bindparam("cid"), product_id=bindparam("pid"),
                                    quantity=bindparam("new_quantity"), added_at=bindparam("at"))
_NEW_CART = insert(Cart).values(token=bindparam("new_token"), revision=0, created_at=bindparam("at"),
                                updated_at=bindparam("at")).returning(Cart.id)
_TOUCH_CART = (update(Cart).where(col(Cart.id) == bindparam("cid"))
               .values(updated_at=bindparam("at"), revision=col(Cart.revision) + 1))


def add_item(session: Session, token: object, raw_product_id: object, raw_quantity: object) -> CartChange:
    """Add to the cart behind token, creating a cart (and token) when there is none yet.

    The busiest write of the store, so it runs prepared SQL Core statements rather than loading, tracking and
    flushing ORM objects; the rules are set_quantity's: clamped to `product`, the cart row locked while it
    changes."""
    limit = get_settings().cart_max_line_quantity
    quantity = inputs.whole_number(raw_quantity, what="Quantity", low=1, high=limit)
    connection = session.connection()
    found = connection.execute(_PRODUCT, {"pid": inputs.product_id(raw_product_id)}).first()
    if found is None:
        raise StoreError(text("cart.no_such_product"))
    product = _ProductRow(*found)
    cart = None
    if is_well_formed_token(token):
        row = connection.execute(_CART_FOR_UPDATE, {"token": token}).first()
        cart = _CartRow(row[0], token) if row is not None else None
    current = None
    if cart is not None:
        current = connection.execute(_LINE_QUANTITY, {"cid": cart.id, "pid": product.id}).scalar()
    new_quantity, notice = _clamp(product, (current or 0) + quantity)
    if new_quantity <= (current or 0):
        raise StoreError(_clamp(product, (current or 0) + quantity, already=True)[1])
    now = utcnow()
    if cart is None:
        fresh = new_token()
        cart = _CartRow(connection.execute(_NEW_CART, {"new_token": fresh, "at": now}).scalar_one(), fresh)
    if current is None:
        try:
            with session.begin_nested():
                session.connection().execute(_NEW_LINE, {"cid": cart.id, "pid": product.id,
                                                         "new_quantity": new_quantity, "at": now})
        except IntegrityError:
            # Another tab added the same product at the same moment; fold into its line.
            current = connection.execute(_LINE_QUANTITY, {"cid": cart.id, "pid": product.id}).scalar_one()
            new_quantity, notice = _clamp(product, current + quantity)
    if current is not None:
        connection.execute(_SET_LINE_QUANTITY, {"cid": cart.id, "pid": product.id, "new_quantity": new_quantity})
    connection.execute(_TOUCH_CART, {"cid": cart.id, "at": now})
    return CartChange(_view(session, cart), notice, product.name)


def _line_in_cart(session: Session, token: object, raw_product_id: object) -> tuple[Cart, CartLine]:
    product_id = inputs.product_id(raw_product_id)
    cart = _find_cart(session, token, for_update=True)
    line = _line_of(session, cart.id, product_id) if cart is not None else None
    if line is None:
        raise StoreError(text("cart.not_in_cart"))
    return cart, line


def set_quantity(session: Session, token: object, raw_product_id: object, raw_quantity: object) -> CartChange:
    limit = get_settings().cart_max_line_quantity
    quantity = inputs.whole_number(raw_quantity, what="Quantity", low=1, high=limit)
    cart, line = _line_in_cart(session, token, raw_product_id)
    product = _purchasable(session, line.product_id)
    new_quantity, notice = _clamp(product, quantity)
    line.quantity = new_quantity
    cart.updated_at = utcnow()
    cart.revision += 1
    session.flush()
    return CartChange(_view(session, cart), notice, product.name)


def remove_item(session: Session, token: object, raw_product_id: object) -> CartChange:
    cart, line = _line_in_cart(session, token, raw_product_id)
    session.delete(line)
    cart.updated_at = utcnow()
    cart.revision += 1
    session.flush()
    return CartChange(_view(session, cart))
