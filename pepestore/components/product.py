import reflex as rx

from pepestore.state.cart import CartState
from pepestore.state.language import t
from pepestore.state.product_view import ProductView


def stock_badge(product: ProductView, label: str | None = None) -> rx.Component:
    """label: a fixed text instead of the one chosen from the stock (the product page's early copy fills it in)."""
    if label is None:
        label = rx.cond(product.stock == 0, t("stock.out"),
                        rx.cond(product.stock_tone == "orange", t("stock.few", count=product.stock), t("stock.in")))
    return rx.badge(label, color_scheme=product.stock_tone, variant="soft")


def add_to_cart_form(product: ProductView, size: str = "2", **props) -> rx.Component:
    """An uncontrolled form, so every card can carry its own quantity without per-card state."""
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="product_id", value=product.id.to_string()),
            rx.input(
                type="number",
                name="quantity",
                default_value="1",
                # No min/max: the server clamps to stock and says why, in words the browser's own tooltip lacks.
                input_mode="numeric",
                aria_label=t("product.quantity"),
                width=rx.breakpoints(initial="52px", sm="64px"),
                size=size,
                disabled=product.stock == 0,
            ),
            rx.button(
                rx.icon("shopping-cart", size=16),
                rx.cond(
                    product.stock == 0,
                    rx.text(t("product.sold_out")),
                    rx.fragment(
                        # Phones get the short label so the button fits beside the quantity.
                        rx.text(t("product.add"), display=rx.breakpoints(initial="inline", sm="none")),
                        rx.text(t("product.add_to_cart"), display=rx.breakpoints(initial="none", sm="inline")),
                    ),
                ),
                aria_label=rx.cond(product.stock == 0, t("product.sold_out"), t("product.add_to_cart")),
                type="submit",
                size=size,
                flex="1",
                disabled=product.stock == 0,
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=CartState.add_from_form,
        reset_on_submit=False,
        width="100%",
        **props,
    )
