"""Browsing the catalog: search, category filter and sorting, all answered by the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from pepestore.models import Product

SORTS: dict[str, str] = {
    "featured": "Featured",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "name": "Name: A to Z",
}
DEFAULT_SORT = "featured"
MAX_SEARCH_LENGTH = 80
MAX_CATEGORY_LENGTH = 60


@dataclass(frozen=True)
class CatalogQuery:
    search: str = ""
    category: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> CatalogQuery:
        """Read a URL's query; anything malformed falls back to the default view instead of failing."""

        def text(key: str, limit: int) -> str:
            value = params.get(key)
            return " ".join(value.split())[:limit] if isinstance(value, str) else ""

        sort = params.get("sort")
        return cls(
            search=text("q", MAX_SEARCH_LENGTH),
            category=text("category", MAX_CATEGORY_LENGTH),
            sort=sort if isinstance(sort, str) and sort in SORTS else DEFAULT_SORT,
        )

    def to_params(self) -> dict[str, str]:
        """The query string that reproduces this view, leaving out defaults so URLs stay short."""
        params = {"q": self.search, "category": self.category}
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        return {key: value for key, value in params.items() if value}


def list_products(session: Session, query: CatalogQuery) -> list[Product]:
    statement = select(Product).where(col(Product.active).is_(True))
    if query.search:
        term = query.search.lower()
        statement = statement.where(
            or_(
                func.lower(Product.name).contains(term, autoescape=True),
                func.lower(Product.description).contains(term, autoescape=True),
            )
        )
    if query.category:
        statement = statement.where(Product.category == query.category)
    in_stock_first = case((col(Product.stock) > 0, 0), else_=1)
    order = {
        "featured": (in_stock_first, col(Product.id)),
        "price_asc": (col(Product.price), col(Product.name)),
        "price_desc": (col(Product.price).desc(), col(Product.name)),
        "name": (col(Product.name),),
    }[query.sort]
    return list(session.exec(statement.order_by(*order)))


def list_categories(session: Session) -> list[str]:
    statement = (
        select(Product.category).where(col(Product.active).is_(True)).distinct().order_by(Product.category)
    )
    return list(session.exec(statement))


def get_product_by_slug(session: Session, slug: object) -> Product | None:
    if not isinstance(slug, str) or not 0 < len(slug) <= 80:
        return None
    return session.exec(
        select(Product).where(Product.slug == slug, col(Product.active).is_(True))
    ).first()
