from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import logging
from pathlib import Path

import reflex as rx
from sqlalchemy.engine import make_url

from pepestore import routes
from pepestore.db import session_scope
from pepestore.settings import get_settings
from pepestore.i18n import say
from pepestore.state.language import language_of
from pepestore.state.page_load import page_load
from pepestore.state.product_view import ProductCard, product_card
from pepestore.store import catalog
from pepestore.store.catalog import CatalogPage, CatalogQuery

log = logging.getLogger("pepestore.pages")

# Removes the style the page's inline script adds when its URL asks for another view than the prerendered one
# (pepestore/pages/catalog.py): the live page has arrived, so the grid may show again.
REVEAL_SCRIPT = "document.getElementById('catalog-pending')?.remove()"


@dataclasses.dataclass
class PageLink:
    label: str
    href: str  # "" for the gap between numbers
    current: bool = False


def _read_catalog(query: CatalogQuery) -> tuple[CatalogPage, list[str]]:
    with session_scope() as session:
        return catalog.list_page(session, query), catalog.list_categories(session)


class CatalogState(rx.State):
    """One page of one view of the catalog: what a tab shows and no more, whatever the catalog's size."""

    products: list[ProductCard] = []
    categories: list[str] = []
    search: str = ""
    category: str = ""
    sort: str = catalog.DEFAULT_SORT
    page: int = 1
    pages: int = 1
    total: int = 0
    loading: bool = True
    # False in the prerendered page (its products may be stale); True once this visit's load has read them.
    live: bool = False
    load_failed: bool = False

    @rx.var
    def sort_options(self) -> list[list[str]]:
        return [[key, label] for key, label in catalog.SORTS.items()]

    def _query(self) -> CatalogQuery:
        return CatalogQuery(search=self.search, category=self.category, sort=self.sort, page=self.page)

    @rx.var
    def category_links(self) -> list[PageLink]:
        """Real links (a crawler follows them); a category keeps the search and sort and starts at page 1."""
        view = CatalogQuery(search=self.search, sort=self.sort)
        return [
            PageLink(label, routes.catalog(dataclasses.replace(view, category=value).to_params()),
                     value == self.category)
            for label, value in [("", ""), *((name, name) for name in self.categories)]
        ]

    @rx.var
    def page_links(self) -> list[PageLink]:
        query = self._query()
        return [
            PageLink("…", "") if number is None
            else PageLink(str(number), routes.catalog(query.on_page(number).to_params()), number == self.page)
            for number in catalog.page_numbers(self.page, self.pages)
        ]

    @rx.var
    def prev_href(self) -> str:
        return routes.catalog(self._query().on_page(self.page - 1).to_params()) if self.page > 1 else ""

    @rx.var
    def next_href(self) -> str:
        return routes.catalog(self._query().on_page(self.page + 1).to_params()) if self.page < self.pages else ""

    @rx.event
    @page_load
    async def load(self):
        """Render exactly what the URL asks for, so a shared link or a reload shows the same view."""
        query = CatalogQuery.from_params(self.router.url.query_parameters)
        self.search, self.category, self.sort = query.search, query.category, query.sort
        found, categories = await asyncio.to_thread(_read_catalog, query)
        if categories != self.categories:
            self.categories = categories
        self._show(found)
        self.loading = False
        self.live = True
        return rx.call_script(REVEAL_SCRIPT)

    def _show(self, found: CatalogPage) -> None:
        cards = [product_card(item) for item in found.items]
        # The browser holds this state's values (the hydrate sent them), so a page equal to them is not sent again:
        # the grid the visitor already sees (the prerendered one, most often) is not re-rendered, its photos not
        # re-painted. Any difference (a price, a stock, another page) is assigned and reaches the browser.
        if cards != self.products:
            self.products = cards
        self.page, self.pages, self.total = found.page, found.pages, found.total

    def _go(self, query: CatalogQuery):
        self.loading = True
        return rx.redirect(routes.catalog(query.to_params()))

    @rx.event
    def apply_search(self, form_data: dict):
        text = form_data.get("q") if isinstance(form_data, dict) else None
        query = CatalogQuery.from_params({"category": self.category, "sort": self.sort,
                                          "q": text if isinstance(text, str) else ""})
        return self._go(query)

    @rx.event
    async def choose_sort(self, sort: str):
        if sort not in catalog.SORTS:
            return rx.toast.error(say(await language_of(self), "catalog.unknown_sort"))
        # The menu shows the choice at once: it is a controlled select, and left to the page's load it would snap
        # back to the old sort until the new page arrived.
        self.sort = sort
        return self._go(CatalogQuery(search=self.search, category=self.category, sort=sort))

    @rx.event
    def clear_filters(self):
        return self._go(CatalogQuery(sort=self.sort))


def _read_first_page() -> tuple[CatalogPage, list[str]] | None:
    settings = get_settings()
    if settings.is_sqlite and not Path(make_url(settings.database_url).database or "").is_file():
        return None  # no store yet (a build without a database): never create an empty file here
    try:
        return _read_catalog(CatalogQuery())
    except Exception:  # noqa: BLE001 - no first page baked in is slower, not wrong: the load event fills it
        log.warning("could not read the catalog's first page for the prerendered page", exc_info=True)
        return None


def prime_first_page() -> None:
    """Make the default view's first page the catalog state's initial value, read once per process.

    The compiled frontend's initial state (so the prerendered HTML and the first render) then already shows the
    products, before hydration and the websocket. The backend process reads the same page for its own defaults,
    so the hydrate only sends what changed since. These values may be stale: the load event replaces them on
    every visit within the first second, and the cart and checkout price from the database, never from here.
    """
    found = _read_first_page()
    if found is None:
        return
    first_page, categories = found
    fields = CatalogState.get_fields()
    for name, value in {"products": [product_card(item) for item in first_page.items], "categories": categories,
                        "total": first_page.total, "pages": first_page.pages, "loading": False}.items():
        field = fields[name]
        field.default, field.default_factory = dataclasses.MISSING, functools.partial(copy.deepcopy, value)
