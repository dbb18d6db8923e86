import reflex as rx

from pepestore import routes
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.models import OrderStatus
from pepestore.settings import get_settings
from pepestore.state.cart import CartState
from pepestore.state.language import t, t_of
from pepestore.state.order import OrderLineRow, OrderState


def _banner(icon: str, tone: str, title, body, *extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.box(rx.icon(icon, size=28, color=rx.color(tone, 9)), bg=rx.color(tone, 3), padding="14px",
               border_radius="50%", flex_shrink="0"),
        rx.vstack(rx.heading(title, size="6"), rx.text(body, color=rx.color("gray", 11)), *extra, spacing="1"),
        spacing="4",
        align="center",
        padding="20px",
        border_radius="14px",
        bg=rx.color(tone, 2),
        border=f"1px solid {rx.color(tone, 5)}",
        width="100%",
        id="order-status",
        data_status=OrderState.status,
    )


def _status() -> rx.Component:
    back = rx.link(rx.button(t("order.back_to_cart"), variant="soft"), href=routes.CART)
    return rx.match(
        OrderState.status,
        (OrderStatus.PENDING_PAYMENT, rx.hstack(
            rx.spinner(size="3"),
            rx.vstack(rx.heading(t("order.waiting_title"), size="6"),
                      rx.text(t("order.waiting_body"),
                              color=rx.color("gray", 11)), spacing="1"),
            spacing="4", align="center", padding="20px", border_radius="14px", bg=rx.color("blue", 2),
            border=f"1px solid {rx.color('blue', 5)}", width="100%", id="order-status",
            data_status=OrderState.status)),
        (OrderStatus.PAID, _banner("circle-check", "green", t("order.paid_title"),
                                   _updates_promise())),
        (OrderStatus.FULFILLED, _banner("package-check", "green", t("order.fulfilled_title"),
                                        t("order.fulfilled_body"))),
        (OrderStatus.CANCELLED, _banner("circle-x", "red", t("order.cancelled_title"),
                                        rx.cond(OrderState.reason_key == "staff", t("order.reason_staff", why=OrderState.reason),
                                        rx.cond(OrderState.reason_key != "", t_of("reason", OrderState.reason_key),
                                        rx.cond(OrderState.reason != "", t("order.reason", reason=OrderState.reason),
                                                t("order.no_money_taken")))), back)),
        (OrderStatus.EXPIRED, _banner("clock", "orange", t("order.expired_title"),
                                      t("order.expired_body"), back)),
        (OrderStatus.PAID_NEEDS_REFUND, _banner("rotate-ccw", "orange", t("order.late_title"),
                                                t("order.late_body"))),
        (OrderStatus.REFUNDED, _banner("rotate-ccw", "gray", t("order.refunded_title"),
                                       t("order.refunded_body"))),
        rx.fragment(),
    )


def _line(row: OrderLineRow) -> rx.Component:
    return rx.hstack(
        rx.image(src=row.image, alt=row.name, width="56px", height="56px", border_radius="8px"),
        rx.vstack(rx.text(row.name, weight="bold"),
                  rx.text(row.quantity.to_string() + " × " + row.unit_price, size="2", color=rx.color("gray", 10)),
                  spacing="0"),
        rx.spacer(),
        rx.text(row.line_total, weight="bold"),
        align="center",
        width="100%",
        class_name="order-line",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(t("order.summary"), size="4"), rx.spacer(),
                      rx.text(t("order.placed", at=OrderState.placed_at), size="2", color=rx.color("gray", 10)),
                      width="100%", wrap="wrap"),
            rx.foreach(OrderState.lines, _line),
            rx.separator(),
            rx.hstack(rx.text(t("order.total"), weight="bold"), rx.spacer(),
                      rx.text(OrderState.total, weight="bold", size="5", id="order-total"), width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _updates_promise():
    # Only promised when the store sends email (MAIL_DISABLED=1 sends none); decided at build time, from settings.
    if get_settings().mail_mode == "off":
        return t("order.paid_body_no_mail")
    return t("order.paid_body_mail", email=OrderState.email)


def order_page() -> rx.Component:
    return page(
        rx.cond(
            OrderState.load_failed,
            load_error(t("order.load_error"), on_retry=[CartState.load, OrderState.load]),
            _order(),
        )
    )


def _order() -> rx.Component:
    return rx.cond(
        OrderState.loading,
        rx.vstack(rx.skeleton(height="96px", width="100%"), rx.skeleton(height="240px", width="100%"),
                  width="100%"),
        rx.cond(
            OrderState.not_found,
            empty_state("receipt", t("order.not_found_title"),
                        t("order.not_found_body"),
                        rx.link(rx.button(t("order.to_catalog")), href=routes.CATALOG), id="order-not-found"),
            rx.vstack(rx.heading(t("order.title"), size="7"), _status(), _summary(), spacing="5", width="100%",
                      max_width="720px", margin_x="auto"),
        ),
    )
