"""/admin/login: a plain HTML form posted to POST /auth/login (the password never crosses the websocket)."""

import reflex as rx

from pepestore.components.plain_form import plain_form

from pepestore.admin.guard import AdminState
from pepestore.state.language import t


class LoginState(AdminState):
    @rx.event
    async def load(self):
        if await self._staff() is not None:
            return rx.redirect("/admin")
        return None


def login_page() -> rx.Component:
    field = dict(size="3", width="100%")
    return rx.center(
        rx.card(
            plain_form(
                rx.vstack(
                    rx.hstack(rx.icon("store", size=22, color=rx.color("accent", 9)),
                              rx.heading(t("admin.title"), size="5"), align="center", spacing="2"),
                    rx.text(t("admin.staff_only"), size="2", color=rx.color("gray", 11)),
                    rx.text(t("admin.email"), as_="label", html_for="login-email", size="2", weight="medium"),
                    rx.input(id="login-email", name="email", type="email", required=True,
                             auto_complete="username", **field),
                    rx.text(t("admin.password"), as_="label", html_for="login-password", size="2", weight="medium"),
                    rx.input(id="login-password", name="password", type="password", required=True,
                             min_length=12, auto_complete="current-password", **field),
                    rx.button(t("admin.sign_in"), type="submit", size="3", width="100%", margin_top="8px"),
                    spacing="2", width="100%",
                ),
                action="/auth/login", method="post", id="login-form",
            ),
            width="100%", max_width="400px", padding="24px",
        ),
        min_height="100vh", padding="16px", bg=rx.color("gray", 2),
    )
