from __future__ import annotations

import asyncio

import reflex as rx

from pepestore import routes
from pepestore.db import session_scope
from pepestore.i18n import say
from pepestore.state.language import language_of
from pepestore.state.page_load import page_load
from pepestore.state.product_view import ProductView, product_view
from pepestore.store import catalog
from pepestore.store.catalog import CatalogQuery


def _read_catalog(query: CatalogQuery) -> tuple[list[ProductView], list[str]]:
    with session_scope() as session:
        return [product_view(p) for p in catalog.list_products(session, query)], catalog.list_categories(session)


class CatalogState(rx.State):
    products: list[ProductView] = []
    categories: list[str] = []
    search: str = ""
    category: str = ""
    sort: str = catalog.DEFAULT_SORT
    loading: bool = True
    load_failed: bool = False

    @rx.var
    def sort_options(self) -> list[list[str]]:
        return [[key, label] for key, label in catalog.SORTS.items()]

    def _query(self) -> CatalogQuery:
        return CatalogQuery(search=self.search, category=self.category, sort=self.sort)

    @rx.event
    @page_load
    async def load(self):
        """Render exactly what the URL asks for, so a shared link or a reload shows the same view."""
        query = CatalogQuery.from_params(self.router.url.query_parameters)
        self.search, self.category, self.sort = query.search, query.category, query.sort
        self.products, self.categories = await asyncio.to_thread(_read_catalog, query)
        self.loading = False

    def _go(self, query: CatalogQuery):
        self.loading = True
        return rx.redirect(routes.catalog(query.to_params()))

    @rx.event
    def apply_search(self, form_data: dict):
        text = form_data.get("q") if isinstance(form_data, dict) else None
        query = CatalogQuery.from_params({**self._query().to_params(), "q": text if isinstance(text, str) else ""})
        return self._go(query)

    @rx.event
    async def choose_category(self, category: str):
        if category and category not in self.categories:
            return rx.toast.error(say(await language_of(self), "catalog.unknown_category"))
        return self._go(CatalogQuery(search=self.search, category=category, sort=self.sort))

    @rx.event
    async def choose_sort(self, sort: str):
        if sort not in catalog.SORTS:
            return rx.toast.error(say(await language_of(self), "catalog.unknown_sort"))
        return self._go(CatalogQuery(search=self.search, category=self.category, sort=sort))

    @rx.event
    def clear_filters(self):
        return self._go(CatalogQuery(sort=self.sort))
