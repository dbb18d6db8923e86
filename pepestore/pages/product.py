import reflex as rx

from pepestore import routes
from pepestore.components import plain
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.components.product import add_to_cart_form, stock_badge
from pepestore.state.cart import CartState
from pepestore.state.language import fixed_language, t
from pepestore.state.product import ProductState
from pepestore.state.product_view import EARLY_PRODUCT, EARLY_STOCK_LABEL, ProductView

# The product photos are 600×600: the browser reserves the square before the photo arrives.
PHOTO_SIZE = "600"


def _details(product: ProductView, *, early: bool = False) -> rx.Component:
    form = rx.el.div(add_to_cart_form(product, size="3"), class_name="rt-Box product-form")
    if early:
        # The early copy is plain HTML until the live page replaces it: a form there would submit as a page load.
        # Kept in place (invisible, inert) so nothing moves when the live page, with its form, takes over.
        form = rx.el.div(form, class_name="rt-Box early-form", custom_attrs={"inert": ""})
    # Plain elements with Radix's classes (pepestore/components/plain.py): the same for the live page and its
    # early copy.
    return rx.el.div(
        # The page's largest paint: fetched first, never lazily, its square known before it loads; decoded off the
        # first frame's path, so the name and price are not held back by the photo's decode.
        rx.el.img(src=product.image, alt=product.name, loading="eager", decoding="async", id="product-image",
                  class_name="product-photo",
                  custom_attrs={"fetchPriority": "high", "width": PHOTO_SIZE, "height": PHOTO_SIZE}),
        plain.column(
            plain.link(plain.row(rx.icon("arrow-left", size=14), plain.text(t("product.all_products")),
                                 align="center", gap="1"),
                       href=routes.CATALOG, class_name="rt-r-size-2 rt-underline-auto c-gray-11"),
            plain.text(product.category, size="2", weight="medium", class_name="c-gray-10 product-category"),
            plain.heading(product.name, size="6", class_name="heading-sm-8", id="product-name"),
            plain.text(product.price, size="7", weight="bold", id="product-price"),
            stock_badge(product, label=EARLY_STOCK_LABEL if early else None),
            plain.text(product.description, size="3", class_name="c-gray-11 product-description"),
            form,
            plain.row(rx.icon("truck", size=16), plain.text(t("product.shipping"), size="2"), align="center",
                      gap="3", class_name="c-gray-10"),
            gap="3",
        ),
        class_name="rt-Grid product-layout",
    )


def product_page() -> rx.Component:
    return page(
        rx.cond(
            ProductState.load_failed,
            load_error(t("product.load_error"), on_retry=[CartState.load, ProductState.load]),
            _product(),
        )
    )


def _product() -> rx.Component:
    return rx.cond(
        # rx.State.slug: the route's own argument, what the browser's address says now.
        ProductState.loading | (ProductState.loaded_for != rx.State.slug),
        # While this skeleton shows, a page served with the product's early copy shows that copy instead
        # (pepestore/early_product.py): its script watches for this id to go.
        rx.el.div(plain.skeleton("product-photo-skeleton"), plain.skeleton("product-text-skeleton"),
                  class_name="rt-Grid product-layout", id="product-loading"),
        rx.cond(
            ProductState.not_found,
            empty_state(
                "package-x",
                t("product.not_found_title"),
                t("product.not_found_body"),
                plain.button_link(t("product.browse"), href=routes.CATALOG),
                id="product-not-found",
            ),
            _details(ProductState.product),
        ),
    )


def early_product_page(language: str):
    """The template of a product page's early copy, in one language: the product page with placeholder values.

    Prerendered at build time like any static page; pepestore/early_product.py fills the placeholders in with one
    product's values and serves the result inside /product/<slug>'s HTML, so the product paints before the
    JavaScript, the websocket and the load event. Rendering the same components keeps the copy identical to the
    live page.
    """

    def build() -> rx.Component:
        with fixed_language(language):
            return page(_details(rx.Var.create(EARLY_PRODUCT), early=True))

    build.__name__ = f"early_product_page_{language.replace('-', '_').lower()}"
    return build
