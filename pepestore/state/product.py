from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from pepestore.db import session_scope
from pepestore.state.product_view import NO_PRODUCT, ProductView, product_view
from pepestore.store import catalog


class ProductState(rx.State):
    product: ProductView = NO_PRODUCT
    not_found: bool = False
    loading: bool = True

    @rx.event
    def load(self):
        slug = unquote(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        with session_scope() as session:
            found = catalog.get_product_by_slug(session, slug)
            self.product = product_view(found) if found else NO_PRODUCT
        self.not_found = found is None
        self.loading = False
