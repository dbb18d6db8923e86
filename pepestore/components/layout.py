import reflex as rx

from pepestore import routes
from pepestore.settings import get_settings
from pepestore.state.cart import CartState
from pepestore.state.language import language_switch, t

CONTENT_WIDTH = "1200px"


def _cart_button() -> rx.Component:
    return rx.link(
        rx.button(
            rx.icon("shopping-bag", size=18),
            rx.text(t("layout.cart"), display=["none", "inline"]),
            rx.cond(
                CartState.item_count > 0,
                rx.badge(CartState.item_count, variant="solid", radius="full", id="cart-count"),
            ),
            variant="soft",
            size="2",
            aria_label=t("layout.open_cart"),
        ),
        href=routes.CART,
    )


def header() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.box(rx.icon("store", size=20, color="white"), bg=rx.color("accent", 9),
                           padding="6px", border_radius="10px", display="flex"),
                    rx.heading("Pepestore", size="5", weight="bold", color=rx.color("gray", 12)),
                    align="center",
                    spacing="2",
                ),
                href=routes.CATALOG,
                underline="none",
            ),
            rx.spacer(),
            rx.link(t("layout.shop"), href=routes.CATALOG, color=rx.color("gray", 11), weight="medium",
                    display=["none", "block"]),
            language_switch(),
            _cart_button(),
            align="center",
            spacing="4",
            max_width=CONTENT_WIDTH,
            margin_x="auto",
            padding_x=["16px", "24px"],
            height="64px",
        ),
        position="sticky",
        top="0",
        z_index="10",
        bg="rgba(255,255,255,0.92)",
        style={"backdrop_filter": "blur(8px)"},
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def footer() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(t("layout.footer_place"), size="2", color=rx.color("gray", 10)),
            rx.spacer(),
            rx.text(t("layout.footer_prices"), size="2", color=rx.color("gray", 10)),
            max_width=CONTENT_WIDTH,
            margin_x="auto",
            padding="24px",
            flex_direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="start", sm="center"),
        ),
        border_top=f"1px solid {rx.color('gray', 4)}",
        margin_top="48px",
    )


def sandbox_banner() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("flask-conical", size=14),
            rx.text(t("layout.sandbox"), size="1", weight="medium"),
            # The emails this store would send, kept locally (pepestore/mail/viewer.py): a plain link, since the
            # viewer is a backend route, not a page the frontend's router knows: a full page load.
            rx.link(t("layout.sandbox_mail"), href="/sandbox/mail/", reload_document=True, size="1", weight="bold",
                    color=rx.color("amber", 12), underline="always", id="sandbox-mail-link"),
            justify="center",
            align="center",
            spacing="2",
        ),
        bg=rx.color("amber", 3),
        color=rx.color("amber", 12),  # step 11 on step 3 is 4.2:1, under WCAG AA's 4.5:1 for small text
        padding_y="6px",
        id="sandbox-banner",
    )


def page(*children: rx.Component) -> rx.Component:
    """Every page: the sandbox banner when payments are simulated, the header, the content column, the footer."""
    # Decided when the frontend is built, from configuration: a store with Fintoc keys never shows it.
    banner = [sandbox_banner()] if get_settings().fintoc_sandbox else []
    return rx.box(
        *banner,
        header(),
        # The page's own content as the `main` landmark: screen readers jump to it past the header.
        rx.el.main(
            *children,
            max_width=CONTENT_WIDTH,
            margin_x="auto",
            padding_x=["16px", "24px"],
            padding_top=["16px", "32px"],
            min_height="70vh",
        ),
        footer(),
        bg=rx.color("gray", 1),
        min_height="100vh",
    )


def empty_state(icon: str, title: str | rx.Var, body: str | rx.Var, *actions: rx.Component, **props) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.box(rx.icon(icon, size=32, color=rx.color("accent", 9)), bg=rx.color("accent", 3),
                   padding="16px", border_radius="50%"),
            rx.heading(title, size="5"),
            rx.text(body, color=rx.color("gray", 11), text_align="center", max_width="420px"),
            *actions,
            align="center",
            spacing="3",
        ),
        padding_y="64px",
        **props,
    )
