import reflex as rx

from pepestore import routes
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.components.product import add_to_cart_form, stock_badge
from pepestore.state.cart import CartState
from pepestore.state.language import t
from pepestore.state.product import ProductState


def _details() -> rx.Component:
    product = ProductState.product
    return rx.grid(
        rx.image(src=product.image, alt=product.name, width="100%", aspect_ratio="1",
                 object_fit="cover", border_radius="16px", id="product-image"),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text(t("product.all_products")), align="center", spacing="1"),
                    href=routes.CATALOG, size="2", color=rx.color("gray", 11)),
            rx.text(product.category, size="2", color=rx.color("gray", 10), weight="medium",
                    style={"text_transform": "uppercase", "letter_spacing": "0.04em"}),
            rx.heading(product.name, size=rx.breakpoints(initial="6", sm="8"), id="product-name"),
            rx.text(product.price, size="7", weight="bold", id="product-price"),
            stock_badge(product),
            rx.text(product.description, size="3", color=rx.color("gray", 11), line_height="1.6"),
            rx.box(add_to_cart_form(ProductState.product, size="3"), width="100%", max_width="360px",
                   padding_top="8px"),
            rx.hstack(rx.icon("truck", size=16), rx.text(t("product.shipping"), size="2"),
                      color=rx.color("gray", 10), align="center"),
            spacing="3",
            align="start",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="6",
        width="100%",
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
        ProductState.loading,
        rx.grid(rx.skeleton(aspect_ratio="1", border_radius="16px"), rx.skeleton(height="320px"),
                columns=rx.breakpoints(initial="1", md="2"), spacing="6", width="100%"),
        rx.cond(
            ProductState.not_found,
            empty_state(
                "package-x",
                t("product.not_found_title"),
                t("product.not_found_body"),
                rx.link(rx.button(t("product.browse")), href=routes.CATALOG),
                id="product-not-found",
            ),
            _details(),
        ),
    )
