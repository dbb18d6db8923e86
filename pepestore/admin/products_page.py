"""/admin/products: every product, published or not, with its photo, price and stock; a search; "New product"."""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import quote

import reflex as rx

from pepestore.state.language import language_of

from pepestore.admin.guard import AdminState, sign_in_again
from pepestore.admin.layout import admin_page
from pepestore.db import session_scope
from pepestore.money import format_clp
from pepestore.state.language import t
from pepestore.store import products_admin

LIST_PATH = "/admin/products"


@dataclasses.dataclass
class ProductRow:
    id: int
    href: str
    image: str
    name: str
    slug: str
    category: str
    price: str
    stock: int
    published: bool


def _read(term: str) -> list[ProductRow]:
    with session_scope() as session:
        return [ProductRow(p.id, f"{LIST_PATH}/{p.id}", p.image, p.name, p.slug, p.category, format_clp(p.price),
                           p.stock, p.active) for p in products_admin.search(session, term)]


class ProductListState(AdminState):
    rows: list[ProductRow] = []
    query: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        raw = self.router.url.query_parameters.get("q")
        self.query = " ".join(raw.split())[:80] if isinstance(raw, str) else ""
        self.rows = await asyncio.to_thread(_read, self.query)
        self.loaded = True
        return None

    @rx.event
    async def search(self, form_data: dict):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        raw = form_data.get("q") if isinstance(form_data, dict) else None
        term = " ".join(raw.split())[:80] if isinstance(raw, str) else ""
        return rx.redirect(LIST_PATH + (f"?q={quote(term)}" if term else ""))


def _row(row: ProductRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.image(src=row.image, width="48px", height="48px", object_fit="cover", border_radius="6px",
                               alt="")),
        rx.table.cell(rx.link(row.name, href=row.href, weight="medium"),
                      rx.text(row.slug, size="1", color=rx.color("gray", 10))),
        rx.table.cell(row.category),
        rx.table.cell(row.price, white_space="nowrap"),
        rx.table.cell(rx.text(row.stock, color=rx.cond(row.stock == 0, rx.color("red", 11), rx.color("gray", 12)))),
        rx.table.cell(rx.cond(row.published, rx.badge(t("admin.badge_published"), color_scheme="green"),
                              rx.badge(t("admin.badge_hidden"), color_scheme="gray"))),
        class_name="product-row", align="center",
    )


def products_page() -> rx.Component:
    return admin_page(
        rx.hstack(
            rx.heading(t("admin.nav_products"), size="6"),
            rx.spacer(),
            rx.link(rx.button(rx.icon("plus", size=16), t("admin.new_product")), href=f"{LIST_PATH}/new",
                    id="new-product"),
            align="center", width="100%", margin_bottom="16px",
        ),
        rx.form(rx.hstack(
            rx.input(name="q", placeholder=t("admin.search_products"), default_value=ProductListState.query,
                     key=ProductListState.query, width="100%", max_length=80),
            rx.button(t("admin.search"), type="submit", variant="soft"), width="100%", spacing="2"),
            on_submit=ProductListState.search, margin_bottom="16px", id="product-search"),
        rx.cond(
            ProductListState.loaded,
            rx.cond(
                ProductListState.rows.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key) if key else "") for key in
                                                   ("", "admin.col_name", "admin.col_category", "admin.col_price",
                                                    "admin.col_stock", "admin.col_shop")])),
                    rx.table.body(rx.foreach(ProductListState.rows, _row)),
                    variant="surface", width="100%"), overflow_x="auto", width="100%", id="products-table"),
                rx.callout(t("admin.no_products"), icon="search"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
    )
