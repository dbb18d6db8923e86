import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from pepestore.components import plain
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.components.catalog_card import product_card
from pepestore.state.cart import CartState
from pepestore.state.catalog import CatalogState
from pepestore.state.language import t, t_of


def _search_box() -> rx.Component:
    return rx.el.form(
        plain.row(
            rx.el.div(
                rx.el.input(
                    name="q",
                    placeholder=t("catalog.search_placeholder"),
                    default_value=CatalogState.search,
                    # A new key remounts the uncontrolled input whenever the URL's search changes.
                    key=CatalogState.search,
                    aria_label=t("catalog.search_placeholder"),
                    max_length=80,
                    class_name="rt-reset rt-TextFieldInput",
                    custom_attrs={"spellCheck": "false"},
                ),
                rx.el.div(rx.icon("search", size=16), class_name="rt-TextFieldSlot"),
                class_name="rt-TextFieldRoot rt-r-size-3 rt-variant-surface card-fill",
            ),
            plain.button(t("catalog.search"), type="submit", size="3", variant="soft"),
            class_name="card-fill",
        ),
        on_submit=CatalogState.apply_search,
        reset_on_submit=False,
        class_name="search-form",
    )


def _sort_menu() -> rx.Component:
    """A native select: the browser's own menu (keyboard, screen readers, phones' pickers) with no script of its
    own to load or hydrate; styled as Radix's select trigger. Choosing navigates to the sort's URL, as before."""
    return rx.el.div(
        rx.el.select(
            rx.foreach(
                CatalogState.sort_options,
                lambda option: rx.el.option(t_of("sort", option[0]), value=option[0]),
            ),
            value=CatalogState.sort,
            on_change=CatalogState.choose_sort,
            aria_label=t("catalog.sort_label"),
            id="sort-select",
            class_name="rt-reset rt-SelectTrigger rt-r-size-3 rt-variant-surface sort-select",
        ),
        rx.el.svg(
            rx.el.path(d="M0.135232 3.15803C0.324102 2.95657 0.640521 2.94637 0.841971 3.13523L4.5 6.56464L8.158 "
                         "3.13523C8.3595 2.94637 8.6759 2.95657 8.8648 3.15803C9.0536 3.35949 9.0434 3.67591 8.842 "
                         "3.86477L4.84197 7.6148C4.64964 7.7951 4.35036 7.7951 4.15803 7.6148L0.158031 "
                         "3.86477C-0.0434285 3.67591 -0.0536285 3.35949 0.135232 3.15803Z"),
            width="9", height="9", view_box="0 0 9 9", class_name="rt-SelectIcon sort-icon",
            custom_attrs={"aria-hidden": "true", "fill": "currentcolor"},
        ),
        class_name="sort-wrap",
    )


def _category_chip(link: rx.Var) -> rx.Component:
    return plain.link(
        # The "all products" chip has no label of its own: it is said in the reader's language.
        rx.el.span(
            rx.cond(link.label == "", t("catalog.all"), link.label),
            class_name=rx.cond(link.current, "rt-reset rt-Badge rt-r-size-3 rt-variant-solid",
                               "rt-reset rt-Badge rt-r-size-3 rt-variant-surface"),
            custom_attrs={"data-accent-color": "", "data-radius": "full"},
        ),
        href=link.href,
        class_name="rt-underline-none category-chip",
        aria_current=rx.cond(link.current, "page", "false"),
    )


def _filters() -> rx.Component:
    return plain.column(
        rx.el.div(
            _search_box(),
            _sort_menu(),
            class_name="rt-Flex rt-r-fw-wrap card-fill filters-row",
        ),
        rx.el.div(
            rx.foreach(CatalogState.category_links, _category_chip),
            class_name="rt-Flex rt-r-fw-wrap chips",
            id="category-filter",
        ),
        gap="3",
        class_name="card-fill",
    )


def _hero() -> rx.Component:
    return rx.el.div(
        plain.heading(t("catalog.title"), size="6", weight="bold", class_name="heading-sm-8"),
        plain.text(t("catalog.intro"), size="3", class_name="c-gray-11 hero-intro"),
        class_name="rt-Box hero",
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
        rx.el.div(
            *[plain.skeleton("catalog-skeleton") for _ in range(8)],
            class_name="rt-Grid catalog-grid",
        ),
        rx.cond(
            CatalogState.products.length() > 0,
            plain.column(
                plain.text(_count_label(), size="2", class_name="c-gray-10", id="result-count"),
                rx.el.div(
                    rx.foreach(CatalogState.products, product_card),
                    class_name="rt-Grid catalog-grid",
                    id="product-grid",
                    custom_attrs={"data-live": rx.cond(CatalogState.live, "true", "false")},
                ),
                _pager(),
                gap="3",
                class_name="card-fill",
            ),
            empty_state(
                "search-x",
                t("catalog.no_match_title"),
                t("catalog.no_match_body"),
                plain.button(t("catalog.show_all"), on_click=CatalogState.clear_filters, variant="soft"),
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
        plain.text("…", size="2", class_name="c-gray-10 pager-gap"),
        ReactRouterLink.create(
            link.label,
            to=link.href,
            class_name=rx.cond(link.current, plain.button_classes("2", "solid", "page-link"),
                               plain.button_classes("2", "soft", "page-link")),
            custom_attrs=plain.accent(),
            aria_label=t("catalog.page_label", page=link.label),
            aria_current=rx.cond(link.current, "page", "false"),
        ),
    )


def _step(label: rx.Var, icon: str, href: rx.Var, rel: str, id_: str) -> rx.Component:
    content = ([rx.icon(icon, size=16), plain.text(label, tag="span")] if rel == "prev"
               else [plain.text(label, tag="span"), rx.icon(icon, size=16)])
    return rx.cond(
        href != "",
        plain.button_link(*content, href=href, variant="soft", rel=rel, id=id_),
        plain.button(*content, variant="soft", disabled=True, aria_hidden="true"),
    )


def _pager() -> rx.Component:
    """Plain links (prev, numbers, next) with the page in the URL: a crawler reaches every product."""
    return rx.cond(
        CatalogState.pages > 1,
        rx.el.nav(
            rx.el.div(
                _step(t("catalog.previous"), "chevron-left", CatalogState.prev_href, "prev", "page-prev"),
                rx.foreach(CatalogState.page_links, _page_link),
                _step(t("catalog.next"), "chevron-right", CatalogState.next_href, "next", "page-next"),
                class_name="rt-Flex rt-r-ai-center rt-r-jc-center rt-r-fw-wrap pager-row",
            ),
            aria_label="Catalog pages",
            id="pager",
            class_name="pager",
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


# The catalog's first frame draws only the cards a screen shows on arrival, two rows (assets/styles.css says how
# many per width): the other sixteen or so cards' style, layout and paint would delay it by ~10-30 ms and show
# nothing more. This runs before the grid is parsed and marks the document; the rule keeps those cards' places
# (content-visibility: hidden, a card's height) until the mark goes: after the first frame drawn once the page is
# parsed, or a second after that where no frame comes (a hidden tab). Left unmarked, so every card is drawn at
# once as before: a screen taller than MARKED_MAX_HEIGHT (the third row would be on it), a reload or a return
# through history (the browser restores the scroll position, which may be among the later cards), an address with
# a #fragment, a page already scrolled when it is parsed, and a browser without JavaScript. On a link inside the
# app React creates this script without running it. The rule reaches the page's inlined CSS
# (pepestore/shop_css.py) because the catalog's module holds this text, so the mark is a word of the shop's code.
FIRST_FRAME_MARK = "data-first-frame"
MARKED_MAX_HEIGHT = 1100  # CSS px: the third row starts lower at every width (~1200 px down at 2, 3 or 4 columns)
FIRST_FRAME_SCRIPT = """(function () {
  var arrival = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (window.innerHeight > %(max_height)d || location.hash || (arrival && arrival.type !== "navigate")) return;
  var root = document.documentElement;
  root.setAttribute("%(mark)s", "");
  function drawAll() { root.removeAttribute("%(mark)s"); }
  document.addEventListener("DOMContentLoaded", function () {
    if (window.scrollY > 0) return drawAll();
    requestAnimationFrame(function () { setTimeout(drawAll, 0); });
    setTimeout(drawAll, 1000);
  });
})();""" % {"mark": FIRST_FRAME_MARK, "max_height": MARKED_MAX_HEIGHT}


def catalog_page() -> rx.Component:
    scripts = PENDING_VIEW_SCRIPT + "\n" + FIRST_FRAME_SCRIPT
    return page(_hero(), _filters(),
                rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": scripts}}),
                rx.el.div(_results(), class_name="rt-Box card-fill results"))
