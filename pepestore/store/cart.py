"""Carts: quantities kept in the database under an opaque browser token, priced from the catalog on every read."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pepestore.models import Cart, CartLine, Product, utcnow
from pepestore.settings import get_settings
from pepestore.store import inputs
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
    def problem(self) -> str:
        """Why this line cannot be bought as it stands (stock can fall after it was added), or ""."""
        if not self.available:
            return "No longer available — remove it to check out."
        if self.stock == 0:
            return "Sold out — remove it to check out."
        if self.quantity > self.stock:
            return f"Only {self.stock} left — lower the quantity."
        return ""


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
    notice: str = ""  # set when the request was honoured only in part (a clamped quantity)
    product_name: str = ""


def _find_cart(session: Session, token: object, *, for_update: bool = False) -> Cart | None:
    if not is_well_formed_token(token):
        return None
    statement = select(Cart).where(Cart.token == token)
    if for_update:
        # Serialise changes to one cart (two tabs, a double click) so no increment is lost.
        statement = statement.with_for_update()
    return session.exec(statement).first()


def _view(session: Session, cart: Cart | None) -> CartView:
    if cart is None:
        return CartView()
    rows = session.exec(
        select(CartLine, Product)
        .join(Product, col(CartLine.product_id) == col(Product.id))
        .where(CartLine.cart_id == cart.id)
        .order_by(col(CartLine.added_at), col(CartLine.id))
    )
    lines = [
        CartLineView(
            product_id=product.id,
            slug=product.slug,
            name=product.name,
            image=product.image,
            unit_price=product.price,
            quantity=line.quantity,
            stock=product.stock if product.active else 0,
            available=product.active,
        )
        for line, product in rows
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
        raise StoreError("That product does not exist.")
    return product


def _clamp(product: Product, wanted: int) -> tuple[int, str]:
    """The quantity we can honour and, if it is less than wanted, the reason in the shopper's words."""
    limit = get_settings().cart_max_line_quantity
    if product.stock == 0:
        raise StoreError(f"Sorry, {product.name} is sold out.")
    if wanted > product.stock and product.stock <= limit:
        return product.stock, f"Only {product.stock} of {product.name} in stock, so your cart has {product.stock}."
    if wanted > limit:
        return limit, f"You can buy up to {limit} of one product per order, so your cart has {limit}."
    return wanted, ""


def add_item(session: Session, token: object, raw_product_id: object, raw_quantity: object) -> CartChange:
    """Add to the cart behind token, creating a cart (and token) when there is none yet."""
    limit = get_settings().cart_max_line_quantity
    quantity = inputs.whole_number(raw_quantity, what="Quantity", low=1, high=limit)
    product = _purchasable(session, raw_product_id)
    cart = _find_cart(session, token, for_update=True)
    line = _line_of(session, cart.id, product.id) if cart is not None else None
    current = line.quantity if line else 0
    new_quantity, notice = _clamp(product, current + quantity)
    if new_quantity <= current:
        raise StoreError(notice.replace("so your cart has", "and your cart already has"))
    if cart is None:
        cart = Cart(token=new_token())
        session.add(cart)
        session.flush()
    if line is None:
        try:
            with session.begin_nested():
                session.add(CartLine(cart_id=cart.id, product_id=product.id, quantity=new_quantity))
        except IntegrityError:
            # Another tab added the same product at the same moment; fold into its line.
            line = _line_of(session, cart.id, product.id)
            new_quantity, notice = _clamp(product, line.quantity + quantity)
            line.quantity = new_quantity
    else:
        line.quantity = new_quantity
    cart.updated_at = utcnow()
    cart.revision += 1
    session.flush()
    return CartChange(_view(session, cart), notice, product.name)


def _line_in_cart(session: Session, token: object, raw_product_id: object) -> tuple[Cart, CartLine]:
    product_id = inputs.product_id(raw_product_id)
    cart = _find_cart(session, token, for_update=True)
    line = _line_of(session, cart.id, product_id) if cart is not None else None
    if line is None:
        raise StoreError("That product is not in your cart any more.")
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
