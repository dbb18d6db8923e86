import reflex as rx

from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.components.catalog_card import product_card
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


def _category_chip(link: rx.Var) -> rx.Component:
    return rx.link(
        # The "all products" chip has no label of its own: it is said in the reader's language.
        rx.badge(rx.cond(link.label == "", t("catalog.all"), link.label), variant=rx.cond(link.current, "solid", "surface"), radius="full", size="3"),
        href=link.href,
        class_name="category-chip",
        aria_current=rx.cond(link.current, "page", "false"),
        underline="none",
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
            rx.foreach(CatalogState.category_links, _category_chip),
            style={"gap": "8px"},
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
                rx.text(_count_label(), size="2", color=rx.color("gray", 10), id="result-count"),
                rx.grid(
                    rx.foreach(CatalogState.products, product_card),
                    columns=rx.breakpoints(initial="2", sm="3", lg="4"),
                    spacing=rx.breakpoints(initial="3", sm="4"),
                    width="100%",
                    id="product-grid",
                    data_live=rx.cond(CatalogState.live, "true", "false"),
                ),
                _pager(),
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


def _count_label() -> rx.Var:
    return rx.cond(
        CatalogState.pages > 1,
        t("catalog.count_paged", total=CatalogState.total, page=CatalogState.page, pages=CatalogState.pages),
        t("catalog.count", count=CatalogState.total),
    )


def _page_link(link: rx.Var) -> rx.Component:
    return rx.cond(
        link.href == "",
        rx.text("…", size="2", color=rx.color("gray", 10), padding_x="4px"),
        rx.link(
            rx.button(link.label, variant=rx.cond(link.current, "solid", "soft"), size="2", tab_index=-1),
            href=link.href,
            aria_label=t("catalog.page_label", page=link.label),
            aria_current=rx.cond(link.current, "page", "false"),
            class_name="page-link",
        ),
    )


def _step(label: rx.Var, icon: str, href: rx.Var, rel: str, id_: str) -> rx.Component:
    content = [rx.icon(icon, size=16), rx.text(label)] if rel == "prev" else [rx.text(label), rx.icon(icon, size=16)]
    return rx.cond(
        href != "",
        rx.link(rx.button(*content, variant="soft", size="2", tab_index=-1), href=href, rel=rel, id=id_),
        rx.button(*content, variant="soft", size="2", disabled=True, aria_hidden="true"),
    )


def _pager() -> rx.Component:
    """Plain links (prev, numbers, next) with the page in the URL: a crawler reaches every product."""
    return rx.cond(
        CatalogState.pages > 1,
        rx.el.nav(
            rx.flex(
                _step(t("catalog.previous"), "chevron-left", CatalogState.prev_href, "prev", "page-prev"),
                rx.foreach(CatalogState.page_links, _page_link),
                _step(t("catalog.next"), "chevron-right", CatalogState.next_href, "next", "page-next"),
                style={"gap": "8px"},
                wrap="wrap",
                justify="center",
                align="center",
                width="100%",
            ),
            aria_label="Catalog pages",
            id="pager",
            style={"width": "100%", "padding_top": "12px"},
        ),
    )


# The prerendered HTML holds the default view's first page. A URL asking for another view (a search, a
# category, a sort, page 3) would show those wrong products until the live page arrives; this runs as the HTML is
# parsed, before the grid paints, and hides them behind grey blocks the load event removes (REVEAL_SCRIPT).
# A plain <script> in the body, not rx.script (which goes through Helmet and runs only after hydration); its text
# set as inner HTML, since React escapes a script's text children.
PENDING_VIEW_SCRIPT = """(function () {
  var params = new URLSearchParams(window.location.search);
  if (!["q", "category", "sort", "page"].some(function (key) { return params.get(key); })) return;
  if (document.getElementById("catalog-pending")) return;
  var style = document.createElement("style");
  style.id = "catalog-pending";
  style.textContent = ".product-card * { visibility: hidden; } .product-card { background: var(--gray-a3); }"
    + " #result-count, #pager { visibility: hidden; }";
  document.head.appendChild(style);
})();"""


def catalog_page() -> rx.Component:
    return page(_hero(), _filters(),
                rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": PENDING_VIEW_SCRIPT}}),
                rx.box(_results(), width="100%", padding_top="20px"))
