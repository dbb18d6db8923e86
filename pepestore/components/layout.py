import reflex as rx

from pepestore import routes
from pepestore.components import plain
from pepestore.settings import get_settings
from pepestore.state.cart import CartState
from pepestore.state.language import language_switch, t



# The sandbox banner's Radix colour scale (assets/styles.css .sandbox-banner); named here, quoted, so the stylesheet
# trim (pepestore/css_purge.py) keeps the scale.
BANNER_COLOR = "amber"


def _cart_button() -> rx.Component:
    # One link that looks like Radix's soft button (before: a button inside a link, two focusable elements).
    return plain.button_link(
        rx.icon("shopping-bag", size=18),
        plain.text(t("layout.cart"), tag="span", class_name="header-cart-label"),
        rx.cond(
            CartState.item_count > 0,
            plain.badge(CartState.item_count, variant="solid", radius="full", id="cart-count"),
        ),
        href=routes.CART,
        variant="soft",
        aria_label=t("layout.open_cart"),
    )


def header() -> rx.Component:
    return rx.el.div(
        plain.row(
            plain.link(
                plain.row(
                    rx.el.div(rx.icon("store", size=20), class_name="rt-Box header-logo"),
                    plain.heading("Pepestore", size="5", weight="bold", class_name="c-gray-12"),
                    align="center",
                    gap="2",
                ),
                href=routes.CATALOG,
                class_name="rt-underline-none",
            ),
            plain.spacer(),
            plain.link(t("layout.shop"), href=routes.CATALOG, class_name="rt-r-weight-medium rt-underline-auto "
                                                                          "c-gray-11 header-shop"),
            language_switch(),
            _cart_button(),
            align="center",
            gap="4",
            class_name="page-width header-row",
        ),
        class_name="rt-Box site-header",
    )


def footer() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            plain.text(t("layout.footer_place"), size="2", class_name="c-gray-10"),
            plain.spacer(),
            plain.text(t("layout.footer_prices"), size="2", class_name="c-gray-10"),
            class_name="rt-Flex rt-r-gap-3 rx-Stack page-width footer-row",
        ),
        class_name="rt-Box site-footer",
    )


def sandbox_banner() -> rx.Component:
    return rx.el.div(
        plain.row(
            rx.icon("flask-conical", size=14),
            plain.text(t("layout.sandbox"), size="1", weight="medium"),
            # The emails this store would send, kept locally (pepestore/mail/viewer.py): a plain link, since the
            # viewer is a backend route, not a page the frontend's router knows: a full page load.
            rx.el.a(t("layout.sandbox_mail"), href="/sandbox/mail/", id="sandbox-mail-link",
                    class_name="rt-Text rt-reset rt-Link rt-r-size-1 rt-r-weight-bold rt-underline-always rx-link "
                               "sandbox-mail-link",
                    # Reflex makes an anchor with an href a router link: reloadDocument makes it a full page load.
                    custom_attrs={**plain.accent(), "reloadDocument": True}),
            align="center",
            gap="2",
            class_name="rt-r-jc-center",
        ),
        class_name="rt-Box sandbox-banner",  # amber 12 on amber 3: step 11 there is 4.2:1, under WCAG AA's 4.5:1
        id="sandbox-banner",
    )


def page(*children: rx.Component) -> rx.Component:
    """Every page: the sandbox banner when payments are simulated, the header, the content column, the footer."""
    # Decided when the frontend is built, from configuration: a store with Fintoc keys never shows it.
    banner = [sandbox_banner()] if get_settings().fintoc_sandbox else []
    return rx.el.div(
        *banner,
        header(),
        # The page's own content as the `main` landmark: screen readers jump to it past the header.
        rx.el.main(*children, class_name="page-width page-main"),
        footer(),
        class_name="rt-Box page-root",
    )


def empty_state(icon: str, title: str | rx.Var | rx.Component, body: str | rx.Var | rx.Component,
                *actions: rx.Component, class_name: str = "", **props) -> rx.Component:
    return rx.el.div(
        plain.column(
            rx.el.div(rx.icon(icon, size=32), class_name="rt-Box empty-icon"),
            plain.heading(title, size="5"),
            plain.text(body, class_name="c-gray-11 empty-body"),
            *actions,
            align="center",
            gap="3",
        ),
        class_name=plain.classes("rt-Flex empty-state", class_name),
        **props,
    )
