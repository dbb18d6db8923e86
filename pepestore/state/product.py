from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from pepestore import page_meta
from pepestore.db import in_db_thread
from pepestore.state.page_load import page_load
from pepestore.state.product_view import NO_PRODUCT, ProductView, product_view
from pepestore.store import catalog


def read_product(session, slug: str) -> ProductView | None:
    found = catalog.get_product_by_slug(session, slug)
    return product_view(found) if found else None


class ProductState(rx.State):
    product: ProductView = NO_PRODUCT
    not_found: bool = False
    loading: bool = True
    load_failed: bool = False
    # The route's slug the shown product was loaded for. A tab's state outlives a full page load: opening product B
    # in a tab that showed A hydrates with A still here, until B's load replaces it. The page shows its skeleton
    # (or B's early copy) while this differs from the URL's slug, never A under B's address.
    loaded_for: str = ""

    def _shown(self) -> ProductView:
        """This address's product, or none while it loads: never the product this tab showed before."""
        this_address = not self.loading and self.loaded_for == self.router.page.params.get("slug", "")
        return self.product if this_address else NO_PRODUCT

    @rx.var
    def meta_description(self) -> str:
        return page_meta.describe(self._shown().description)

    @rx.var
    def page_title(self) -> str:
        return page_meta.product_title(self._shown().name)

    @rx.event
    @page_load
    async def load(self):
        slug = unquote(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        found = await in_db_thread(read_product, slug)
        self.product = found or NO_PRODUCT
        self.not_found = found is None
        self.loading = False
        self.loaded_for = self.router.page.params.get("slug", "")
