"""The catalog's product card, as plain elements wearing Radix Themes' own classes.

A page of 24 cards built from Radix and emotion components cost most of the catalog's hydration: each card was some
twenty components, each working out its classes and emotion styles in the browser, twice (the first render and the
live page's refresh). The same markup written out (the classes Radix would give each element, the few styles of
their own in assets/styles.css) looks the same and hydrates as plain elements, as the product page now does too
(pepestore/components/product.py, whose quantity field the cards share).
"""

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from pepestore.components.product import quantity_field
from pepestore.state.cart import CartState
from pepestore.state.language import t
from pepestore.state.product_view import ProductView

# The first cards are on screen as the catalog paints (a row of 4 on a wide screen, two rows of 2 on a phone): their
# photos are fetched with the HTML, the first at high priority since it is the page's largest paint (the LCP
# element); the rest load lazily, when scrolled near.
EAGER_PHOTOS = 4

ACCENT = {"data-accent-color": ""}  # what Radix writes on links and buttons (the theme's accent); copied per use


def _link(child: rx.Component, href: rx.Var, classes: str) -> rx.Component:
    """A client-side route link, as rx.link renders it (Radix's Link around React Router's)."""
    return ReactRouterLink.create(child, to=href, class_name=f"rt-Text rt-reset rt-Link {classes}",
                                  custom_attrs=dict(ACCENT))


def _badge(product: ProductView) -> rx.Component:
    label = rx.cond(product.stock == 0, t("stock.out"),
                    rx.cond(product.stock_tone == "orange", t("stock.few", count=product.stock), t("stock.in")))
    return rx.el.span(label, class_name="rt-reset rt-Badge rt-r-size-1 rt-variant-soft",
                      custom_attrs={"data-accent-color": product.stock_tone})


def _button(*children: rx.Component, label: rx.Var, sold_out: bool) -> rx.Component:
    variant = "rt-reset rt-BaseButton rt-r-size-2 rt-variant-solid rt-Button card-grow"
    if sold_out:  # Radix marks a disabled button with data-disabled, which its styles look for
        return rx.el.button(*children, type="submit", aria_label=label, disabled=True, class_name=variant,
                            custom_attrs={**ACCENT, "data-disabled": "true"})
    return rx.el.button(*children, type="submit", aria_label=label, class_name=variant, custom_attrs=dict(ACCENT))


def _add_form(product: ProductView) -> rx.Component:
    """An uncontrolled form, so every card carries its own quantity without per-card state."""
    cart_icon = rx.icon("shopping-cart", size=16)
    return rx.el.form(
        rx.el.div(
            rx.el.input(type="hidden", name="product_id", value=product.id.to_string()),
            quantity_field(product),
            rx.cond(
                product.stock == 0,
                _button(cart_icon, rx.el.p(t("product.sold_out"), class_name="rt-Text"),
                        label=t("product.sold_out"), sold_out=True),
                # Phones get the short label so the button fits beside the quantity.
                _button(cart_icon, rx.el.p(t("product.add"), class_name="rt-Text card-label-short"),
                        rx.el.p(t("product.add_to_cart"), class_name="rt-Text card-label-long"),
                        label=t("product.add_to_cart"), sold_out=False),
            ),
            class_name="rt-Flex rt-r-fd-row rt-r-ai-start rt-r-gap-2 rx-Stack card-fill",
        ),
        on_submit=CartState.add_from_form,
        reset_on_submit=False,
        class_name="card-fill",
    )


def product_card(product: ProductView, index: rx.Var) -> rx.Component:
    photo = rx.el.img(
        src=product.image,
        alt=product.name,
        loading=rx.cond(index < EAGER_PHOTOS, "eager", "lazy"),
        # Decoded off the frame's critical path: the card's text is painted without waiting for its photo's decode.
        decoding="async",
        class_name=rx.cond(product.stock == 0, "card-photo card-photo-sold-out", "card-photo"),
        custom_attrs={"fetchPriority": rx.cond(index == 0, "high", "auto")},
    )
    return rx.el.div(
        rx.el.div(
            _link(photo, product.href, "rt-underline-auto card-fill"),
            rx.el.p(product.category, class_name="rt-Text rt-r-size-1 rt-r-weight-medium card-category"),
            _link(rx.el.p(product.name, class_name="rt-Text rt-r-size-3 rt-r-weight-bold card-name"), product.href,
                  "rt-underline-hover product-name"),
            rx.el.div(
                rx.el.p(product.price, class_name="rt-Text rt-r-size-4 rt-r-weight-bold product-price"),
                _badge(product),
                class_name="rt-Flex rt-r-fd-row rt-r-ai-center rt-r-jc-space-between rt-r-fw-wrap rt-r-gap-1 "
                           "rx-Stack card-fill",
            ),
            rx.el.div(class_name="rt-Flex card-spacer"),
            _add_form(product),
            class_name="rt-Flex rt-r-fd-column rt-r-ai-start rt-r-gap-2 rx-Stack card-tall",
        ),
        class_name="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface product-card card-tall",
        custom_attrs={"data-slug": product.slug},
    )
