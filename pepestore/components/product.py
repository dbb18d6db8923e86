import reflex as rx

from pepestore.components import plain
from pepestore.state.cart import CartState
from pepestore.state.language import t
from pepestore.state.product_view import ProductView


def stock_badge(product: ProductView, label: str | None = None) -> rx.Component:
    """label: a fixed text instead of the one chosen from the stock (the product page's early copy fills it in)."""
    if label is None:
        label = rx.cond(product.stock == 0, t("stock.out"),
                        rx.cond(product.stock_tone == "orange", t("stock.few", count=product.stock), t("stock.in")))
    return plain.badge(label, color=product.stock_tone)


def quantity_field(product: ProductView, size: str = "2") -> rx.Component:
    """The add-to-cart forms' quantity (here and on the catalog's cards), as Radix's text field would render it."""
    return rx.el.div(
        rx.el.input(
            type="number",
            name="quantity",
            default_value="1",
            # No min/max: the server clamps to stock and says why, in words the browser's own tooltip lacks.
            input_mode="numeric",
            aria_label=t("product.quantity"),
            disabled=product.stock == 0,
            class_name="rt-reset rt-TextFieldInput",
            custom_attrs={"spellCheck": "false"},
        ),
        class_name=f"rt-TextFieldRoot rt-r-size-{size} rt-variant-surface card-quantity",
    )


def add_to_cart_form(product: ProductView, size: str = "2") -> rx.Component:
    """An uncontrolled form, so every card can carry its own quantity without per-card state. Plain elements with
    Radix's classes (pepestore/components/plain.py); the catalog's cards have their own (catalog_card.py)."""
    sold_out = product.stock == 0
    return rx.el.form(
        plain.row(
            rx.el.input(type="hidden", name="product_id", value=product.id.to_string()),
            quantity_field(product, size),
            rx.cond(
                sold_out,
                plain.button(rx.icon("shopping-cart", size=16), plain.text(t("product.sold_out")), aria_label=t("product.sold_out"),
                             type="submit", size=size, disabled=True, class_name="card-grow"),
                # Phones get the short label so the button fits beside the quantity.
                plain.button(rx.icon("shopping-cart", size=16), plain.text(t("product.add"), class_name="card-label-short"),
                             plain.text(t("product.add_to_cart"), class_name="card-label-long"),
                             aria_label=t("product.add_to_cart"), type="submit", size=size, class_name="card-grow"),
            ),
            class_name="card-fill",
        ),
        on_submit=CartState.add_from_form,
        reset_on_submit=False,
        class_name="card-fill",
    )
