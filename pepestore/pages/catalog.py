import reflex as rx

from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.components.product import product_card
from pepestore.state.cart import CartState
from pepestore.state.catalog import CatalogState
from pepestore.state.language import t, t_of


def _search_box() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="q",
                placeholder=t("catalog.search_placeholder"),
                default_value=CatalogState.search,
                # A new key remounts the uncontrolled input whenever the URL's search changes.
                key=CatalogState.search,
                aria_label=t("catalog.search_placeholder"),
                width="100%",
                size="3",
                max_length=80,
            ),
            rx.button(t("catalog.search"), type="submit", size="3", variant="soft"),
            width="100%",
            spacing="2",
        ),
        on_submit=CatalogState.apply_search,
        reset_on_submit=False,
        flex="1",
        min_width=["100%", "280px"],
    )


def _category_chip(label: rx.Var | str, value: rx.Var | str) -> rx.Component:
    return rx.button(
        label,
        on_click=CatalogState.choose_category(value),
        variant=rx.cond(CatalogState.category == value, "solid", "surface"),
        radius="full",
        size="2",
        class_name="category-chip",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _search_box(),
            rx.select.root(
                rx.select.trigger(aria_label=t("catalog.sort_label"), min_width="190px"),
                rx.select.content(
                    rx.foreach(
                        CatalogState.sort_options,
                        lambda option: rx.select.item(t_of("sort", option[0]), value=option[0]),
                    )
                ),
                value=CatalogState.sort,
                on_change=CatalogState.choose_sort,
                size="3",
            ),
            gap="3",
            width="100%",
            wrap="wrap",
        ),
        rx.flex(
            _category_chip(t("catalog.all"), ""),
            rx.foreach(CatalogState.categories, lambda name: _category_chip(name, name)),
            gap="2",
            wrap="wrap",
            id="category-filter",
        ),
        spacing="3",
        width="100%",
    )


def _hero() -> rx.Component:
    return rx.box(
        rx.heading(t("catalog.title"), size=rx.breakpoints(initial="6", sm="8"), weight="bold"),
        rx.text(
            t("catalog.intro"),
            size="3",
            color=rx.color("gray", 11),
            margin_top="8px",
        ),
        padding_bottom="20px",
    )


def _results() -> rx.Component:
    return rx.cond(
        CatalogState.load_failed,
        load_error(t("catalog.load_error"), on_retry=[CartState.load, CatalogState.load]),
        _products(),
    )


def _products() -> rx.Component:
    return rx.cond(
        CatalogState.loading,
        rx.grid(
            rx.foreach(rx.Var.range(8), lambda _: rx.skeleton(height="340px", border_radius="12px")),
            columns=rx.breakpoints(initial="2", sm="3", lg="4"),
            spacing=rx.breakpoints(initial="3", sm="4"),
            width="100%",
        ),
        rx.cond(
            CatalogState.products.length() > 0,
            rx.vstack(
                rx.text(t("catalog.count", count=CatalogState.products.length()), size="2",
                        color=rx.color("gray", 10), id="result-count"),
                rx.grid(
                    rx.foreach(CatalogState.products, product_card),
                    columns=rx.breakpoints(initial="2", sm="3", lg="4"),
                    spacing=rx.breakpoints(initial="3", sm="4"),
                    width="100%",
                    id="product-grid",
                ),
                width="100%",
                spacing="3",
            ),
            empty_state(
                "search-x",
                t("catalog.no_match_title"),
                t("catalog.no_match_body"),
                rx.button(t("catalog.show_all"), on_click=CatalogState.clear_filters, variant="soft"),
                id="empty-results",
            ),
        ),
    )


def catalog_page() -> rx.Component:
    return page(_hero(), _filters(), rx.box(_results(), width="100%", padding_top="20px"))
