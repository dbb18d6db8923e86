"""The back office's frame: a slim top bar with the sections, who is signed in, and sign out (a plain form post)."""

import reflex as rx

from pepestore.components.plain_form import plain_form

from pepestore.admin.guard import AdminState
from pepestore.state.language import language_switch, t

ADMIN_WIDTH = "1200px"


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, color=rx.color("gray", 11), weight="medium", size="2")


def admin_bar() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(rx.hstack(rx.icon("store", size=18, color=rx.color("accent", 9)),
                              rx.heading(t("admin.title"), size="3", display=["none", "block"]),
                              align="center", spacing="2"),
                    href="/admin", underline="none", color=rx.color("gray", 12)),
            _nav_link(t("admin.nav_orders"), "/admin/orders"),
            _nav_link(t("admin.nav_products"), "/admin/products"),
            rx.cond(AdminState.staff_is_owner, _nav_link(t("admin.nav_staff"), "/admin/staff")),
            rx.spacer(),
            rx.text(AdminState.staff_email, size="2", color=rx.color("gray", 10), display=["none", "block"],
                    id="admin-who"),
            language_switch(),
            plain_form(rx.button(t("admin.sign_out"), type="submit", variant="soft", size="1", color_scheme="gray"),
                       action="/auth/logout", method="post", id="logout-form"),
            align="center", spacing="4", max_width=ADMIN_WIDTH, margin_x="auto", padding_x=["12px", "24px"],
            height="56px", wrap="wrap",
        ),
        bg=rx.color("gray", 2), border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def admin_page(*children: rx.Component) -> rx.Component:
    return rx.box(
        admin_bar(),
        rx.box(*children, max_width=ADMIN_WIDTH, margin_x="auto", padding_x=["12px", "24px"], padding_y="24px"),
        bg=rx.color("gray", 1), min_height="100vh",
    )


def stat_card(label: str | rx.Var, value, href: str, tone: str = "gray", card_id: str = "") -> rx.Component:
    return rx.link(
        rx.card(rx.vstack(rx.text(label, size="2", color=rx.color("gray", 11)),
                          rx.heading(value, size="7", color=rx.color(tone, 11)), spacing="1"),
                width="100%"),
        href=href, underline="none", id=card_id, width="100%",
    )
