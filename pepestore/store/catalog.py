"""Browsing the catalog: search, category filter, sorting and paging, all answered by the database.

Search uses an index on both databases (the migration d1a7c3e9f2b4 creates them):
- PostgreSQL: pg_trgm GIN indexes on lower(name) and lower(description). A trigram index serves `LIKE '%term%'`
  (a substring anywhere, which is what shoppers type: "mug", "tera", "100%") where a b-tree cannot, and needs no
  dictionary or stemming; full-text search would miss partial words and mis-stem Spanish and English alike.
- SQLite: an FTS5 table with the trigram tokenizer (SQLite >= 3.34), kept in step with `product` by triggers. A
  quoted phrase MATCH is a case-insensitive (Unicode-folded) substring search served by the index, and every
  character in the phrase is literal, so % and _ need no escaping.
Both fold case (Ñ finds ñ) but not accents: "cafe" does not find "café". Trigram indexes need 3 characters; a
shorter term falls back to a plain LIKE, which on one or two letters matches nearly everything anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, literal_column, or_, select as sa_select, text
from sqlalchemy.sql.elements import ColumnElement
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
PER_PAGE = 24
# A page number past this is not a real page of any catalog we sell; it is clamped like any other past the end.
MAX_PAGE = 1_000_000
TRIGRAM = 3
SEARCH_TABLE = "product_search"  # SQLite's FTS5 index of product names and descriptions


def parse_page(value: object) -> int:
    """A page number from a URL. Anything but plain ASCII digits (missing, -1, 2.5, 'x', a list) is page 1; 0 is
    page 1 and a huge number the largest we accept. Clamping to the last page happens once the count is known."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


@dataclass(frozen=True)
class CatalogQuery:
    search: str = ""
    category: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> CatalogQuery:
        """Read a URL's query; anything malformed falls back to the default view instead of failing."""

        def text_param(key: str, limit: int) -> str:
            value = params.get(key)
            return " ".join(value.split())[:limit] if isinstance(value, str) else ""

        sort = params.get("sort")
        return cls(
            search=text_param("q", MAX_SEARCH_LENGTH),
            category=text_param("category", MAX_CATEGORY_LENGTH),
            sort=sort if isinstance(sort, str) and sort in SORTS else DEFAULT_SORT,
            page=parse_page(params.get("page")),
        )

    def to_params(self) -> dict[str, str]:
        """The query string that reproduces this view, leaving out defaults so URLs stay short."""
        params = {"q": self.search, "category": self.category}
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        if self.page > 1:
            params["page"] = str(self.page)
        return {key: value for key, value in params.items() if value}

    def on_page(self, page: int) -> CatalogQuery:
        return CatalogQuery(search=self.search, category=self.category, sort=self.sort, page=page)

    @property
    def is_default(self) -> bool:
        return self == CatalogQuery()


@dataclass(frozen=True)
class CatalogItem:
    """What a catalog card shows: no description, so a page of them stays small in every tab's state."""

    id: int
    slug: str
    name: str
    category: str
    price: int
    stock: int
    image: str


@dataclass(frozen=True)
class CatalogPage:
    items: list[CatalogItem]
    total: int
    page: int  # clamped to 1..pages
    pages: int


def _escape_like(term: str) -> str:
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _search_clause(session: Session, term: str) -> ColumnElement[bool]:
    term = term.lower()
    pattern = f"%{_escape_like(term)}%"
    if session.get_bind().dialect.name == "sqlite" and len(term) >= TRIGRAM:
        phrase = '"' + term.replace('"', '""') + '"'  # an FTS5 string: only " is special inside it
        matching = sa_select(text("rowid")).select_from(text(SEARCH_TABLE)).where(
            text(f"{SEARCH_TABLE} MATCH :phrase").bindparams(phrase=phrase))
        return col(Product.id).in_(matching)
    # PostgreSQL: the pattern is a literal string (not '%' || :term || '%'), so the planner sees it and uses the
    # trigram indexes on these exact expressions. SQLite (short terms): LIKE is case-insensitive for ASCII.
    return or_(func.lower(Product.name).like(pattern, escape="/"),
               func.lower(Product.description).like(pattern, escape="/"))


def _filters(session: Session, query: CatalogQuery) -> list[ColumnElement[bool]]:
    clauses = [col(Product.active).is_(True)]
    if query.search:
        clauses.append(_search_clause(session, query.search))
    if query.category:
        clauses.append(col(Product.category) == query.category)
    return clauses


def _order(sort: str) -> tuple:
    # Constants inline, so the expression is the one ix_product_featured indexes (pepestore/search_index.py).
    in_stock_first = case((col(Product.stock) > literal_column("0"), literal_column("0")), else_=literal_column("1"))
    # id last everywhere: equal prices or names must not swap places between pages.
    return {
        "featured": (in_stock_first, col(Product.id)),
        "price_asc": (col(Product.price), col(Product.name), col(Product.id)),
        "price_desc": (col(Product.price).desc(), col(Product.name), col(Product.id)),
        "name": (col(Product.name), col(Product.id)),
    }[sort]


def count_products(session: Session, query: CatalogQuery) -> int:
    return session.exec(select(func.count()).select_from(Product).where(*_filters(session, query))).one()


def list_page(session: Session, query: CatalogQuery) -> CatalogPage:
    """One page of the view; a page past the end shows the last page rather than nothing."""
    total = count_products(session, query)
    pages = max(1, -(-total // PER_PAGE))
    page = min(query.page, pages)
    columns = (Product.id, Product.slug, Product.name, Product.category, Product.price, Product.stock,
               Product.image)
    rows = session.exec(
        select(*columns).where(*_filters(session, query)).order_by(*_order(query.sort))
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return CatalogPage(items=[CatalogItem(*row) for row in rows], total=total, page=page, pages=pages)


def list_products(session: Session, query: CatalogQuery) -> list[Product]:
    """Every product of the view, unpaged (scripts and tests; pages use list_page)."""
    statement = select(Product).where(*_filters(session, query)).order_by(*_order(query.sort))
    return list(session.exec(statement))


# DISTINCT would read every product; this hops from one category to the next through ix_product_category (a
# "loose index scan"), so it costs one index seek per category, at 28 products or 100 000.
_CATEGORIES = text("""
WITH RECURSIVE found(category) AS (
    SELECT min(category) FROM product WHERE active = :yes
    UNION ALL
    SELECT (SELECT min(category) FROM product WHERE active = :yes AND category > found.category)
    FROM found WHERE found.category IS NOT NULL
)
SELECT category FROM found WHERE category IS NOT NULL
""")


def list_categories(session: Session) -> list[str]:
    return list(session.connection().execute(_CATEGORIES, {"yes": True}).scalars())


def get_product_by_slug(session: Session, slug: object) -> Product | None:
    if not isinstance(slug, str) or not 0 < len(slug) <= 80:
        return None
    return session.exec(
        select(Product).where(Product.slug == slug, col(Product.active).is_(True))
    ).first()


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The numbered links of a pager: first, last and `around` either side of the current page; None marks a gap.
    page_numbers(7, 20) == [1, None, 5, 6, 7, 8, 9, None, 20]"""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
