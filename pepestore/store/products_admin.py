"""What staff do to products from the back office: create, edit, publish. Every change is checked here (the event
arguments are untrusted), written in one transaction and recorded in the audit log.

Two staff editing one product: each save names the version it was read at; the UPDATE matches only that version
and bumps it, so the second of two saves of the same version changes nothing and is refused, never a silent
overwrite of the first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pepestore.catalog_models import StockReason
from pepestore.i18n import Text, text
from pepestore import routes
from pepestore.models import Product
from pepestore.store import inputs, stock
from pepestore.store.errors import StoreError
from pepestore.store.staff import StaffMember, audit

MIN_PRICE = 1
MAX_PRICE = 7_000_000
PLACEHOLDER_IMAGE = "/products/placeholder.svg"
STALE = "admin.product_stale"  # the key of the refusal a stale save gets: the page shows its reload warning
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PRICE = re.compile(r"^\s*\$?\s*\d{1,3}(?:[.\s]?\d{3})*\s*$")


def slugify(name: str) -> str:
    """"Té Boldo Ñuble" -> "te-boldo-nuble": ASCII letters and digits joined by single hyphens, at most 80."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].rstrip("-")


def _text(raw: object, refusal: Text, low: int, high: int) -> str:
    value = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not low <= len(value) <= high:
        raise StoreError(refusal)
    return value


def parse_price(raw: object) -> int:
    """A whole number of pesos from 1 to 7.000.000; the form may send "12990", "12.990" or "$12.990"."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        price = raw
    elif isinstance(raw, str) and _PRICE.match(raw):
        price = int(re.sub(r"\D", "", raw))
    else:
        price = None
    if price is None or not MIN_PRICE <= price <= MAX_PRICE:
        raise StoreError(text("admin.product_price"))
    return price


def _published(raw: object) -> bool:
    # A checkbox arrives as "on" when ticked and is missing when not; the UI's switch sends a bool.
    if raw in (True, "on", "true", "1"):
        return True
    if raw in (None, False, "", "off", "false", "0"):
        return False
    raise StoreError(text("admin.product_published"))


@dataclass(frozen=True)
class ProductFields:
    name: str
    slug: str
    description: str
    category: str
    price: int
    published: bool

    @classmethod
    def parse(cls, data: object) -> ProductFields:
        if not isinstance(data, dict):
            raise StoreError(text("admin.product_form"))
        name = _text(data.get("name"), text("admin.product_name_length", low=2, high=120), 2, 120)
        raw_slug = data.get("slug")
        slug = raw_slug.strip().lower() if isinstance(raw_slug, str) and raw_slug.strip() else slugify(name)
        if not 2 <= len(slug) <= 80 or not _SLUG.match(slug):
            raise StoreError(text("admin.product_slug"))
        description = data.get("description")
        description = description.strip() if isinstance(description, str) else ""
        if len(description) > 2000:
            raise StoreError(text("admin.product_description_long"))
        category = _text(data.get("category"), text("admin.product_category_length", low=2, high=60), 2, 60)
        return cls(name=name, slug=slug, description=description, category=category,
                   price=parse_price(data.get("price")), published=_published(data.get("published")))


def _slug_taken(session: Session, slug: str, other_than: int | None = None) -> bool:
    statement = select(Product.id).where(Product.slug == slug)
    if other_than is not None:
        statement = statement.where(Product.id != other_than)
    return session.exec(statement).first() is not None


def _taken(slug: str) -> StoreError:
    return StoreError(text("admin.product_slug_taken", path=routes.product(slug)))


def create_product(session: Session, data: object, member: StaffMember, now: datetime,
                   ip: str | None = None) -> Product:
    """A new product, with no stock (stock comes in as a 'received' adjustment) and the placeholder picture."""
    fields = ProductFields.parse(data)
    if _slug_taken(session, fields.slug):
        raise _taken(fields.slug)
    product = Product(slug=fields.slug, name=fields.name, description=fields.description, category=fields.category,
                      price=fields.price, stock=0, image=PLACEHOLDER_IMAGE, active=fields.published, version=1,
                      updated_at=now)
    try:
        with session.begin_nested():
            session.add(product)
            session.flush()
    except IntegrityError:
        raise _taken(fields.slug) from None  # another member took the slug a moment ago
    stock.log(session, product.id, 0, StockReason.OPENING, now, staff_id=member.id, note="created")
    audit(session, "product_created", member.email, now, staff_id=member.id, ip=ip,
          detail=f"{product.slug} (#{product.id}): {fields.name}, ${fields.price}, "
                 + ("published" if fields.published else "not published"))
    return product


def update_product(session: Session, raw_product_id: object, raw_version: object, data: object,
                   member: StaffMember, now: datetime, ip: str | None = None) -> int:
    """Save an edit made from `raw_version`. Returns the new version; refuses a stale edit with STALE."""
    product_id = inputs.product_id(raw_product_id)
    version = inputs.whole_number(raw_version, what="The version", low=1, high=2**31 - 1)
    fields = ProductFields.parse(data)
    before = session.exec(select(Product).where(Product.id == product_id)
                          .execution_options(populate_existing=True)).first()
    if before is None:
        raise StoreError(text("cart.no_such_product"))
    if before.version != version:
        raise StoreError(text(STALE))
    if _slug_taken(session, fields.slug, other_than=product_id):
        raise _taken(fields.slug)
    changes = [f"{name} {getattr(before, attr)!r} -> {value!r}" for name, attr, value in (
        ("name", "name", fields.name), ("slug", "slug", fields.slug), ("category", "category", fields.category),
        ("price", "price", fields.price), ("published", "active", fields.published),
    ) if getattr(before, attr) != value]
    if before.description != fields.description:
        changes.append("description")
    try:
        with session.begin_nested():
            saved = session.exec(
                update(Product).where(col(Product.id) == product_id, col(Product.version) == version)
                .values(name=fields.name, slug=fields.slug, description=fields.description,
                        category=fields.category, price=fields.price, active=fields.published,
                        version=Product.version + 1, updated_at=now)
            ).rowcount
    except IntegrityError:
        raise _taken(fields.slug) from None
    if saved != 1:
        raise StoreError(text(STALE))  # another save of this version won the race between our read and this write
    audit(session, "product_updated", member.email, now, staff_id=member.id, ip=ip,
          detail=f"{fields.slug} (#{product_id}) v{version + 1}: " + ("; ".join(changes) or "no change"))
    return version + 1


def get_product(session: Session, raw_product_id: object) -> Product:
    product = session.get(Product, inputs.product_id(raw_product_id))
    if product is None:
        raise StoreError(text("cart.no_such_product"))
    return product


def search(session: Session, raw_term: object, limit: int = 200) -> list[Product]:
    """Every product, published or not, whose name, slug or category holds the term; newest edits first."""
    term = " ".join(raw_term.split())[:80].lower() if isinstance(raw_term, str) else ""
    statement = select(Product)
    if term:
        statement = statement.where(or_(func.lower(Product.name).contains(term, autoescape=True),
                                        col(Product.slug).contains(term, autoescape=True),
                                        func.lower(Product.category).contains(term, autoescape=True)))
    return list(session.exec(statement.order_by(col(Product.name)).limit(limit)))


def categories(session: Session) -> list[str]:
    return list(session.exec(select(Product.category).distinct().order_by(Product.category)))
