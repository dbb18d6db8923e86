import reflex as rx

from pepestore import routes
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.models import OrderStatus
from pepestore.settings import get_settings
from pepestore.state.cart import CartState
from pepestore.state.order import OrderLineRow, OrderState


def _banner(icon: str, tone: str, title: str, body, *extra: rx.Component) -> rx.Component:
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
    back = rx.link(rx.button("Back to your cart", variant="soft"), href=routes.CART)
    return rx.match(
        OrderState.status,
        (OrderStatus.PENDING_PAYMENT, rx.hstack(
            rx.spinner(size="3"),
            rx.vstack(rx.heading("Waiting for the bank's confirmation", size="6"),
                      rx.text("This usually takes a few seconds. This page updates by itself — no need to reload.",
                              color=rx.color("gray", 11)), spacing="1"),
            spacing="4", align="center", padding="20px", border_radius="14px", bg=rx.color("blue", 2),
            border=f"1px solid {rx.color('blue', 5)}", width="100%", id="order-status",
            data_status=OrderState.status)),
        (OrderStatus.PAID, _banner("circle-check", "green", "Payment received — thank you!",
                                   _updates_promise())),
        (OrderStatus.FULFILLED, _banner("package-check", "green", "Your order is on its way",
                                        "It left our Santiago workshop.")),
        (OrderStatus.CANCELLED, _banner("circle-x", "red", "This order was cancelled",
                                        rx.cond(OrderState.reason != "", "Reason: " + OrderState.reason,
                                                "No money was taken."), back)),
        (OrderStatus.EXPIRED, _banner("clock", "orange", "This order expired",
                                      "The payment did not arrive in time, so we released the items. "
                                      "Nothing was charged.", back)),
        (OrderStatus.PAID_NEEDS_REFUND, _banner("rotate-ccw", "orange", "We received your payment late",
                                                "An item sold out while we waited for the bank. We will refund "
                                                "you in full.")),
        (OrderStatus.REFUNDED, _banner("rotate-ccw", "gray", "This order was refunded",
                                       "The money is on its way back to your account.")),
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
            rx.hstack(rx.heading("Order summary", size="4"), rx.spacer(),
                      rx.text("Placed " + OrderState.placed_at, size="2", color=rx.color("gray", 10)),
                      width="100%", wrap="wrap"),
            rx.foreach(OrderState.lines, _line),
            rx.separator(),
            rx.hstack(rx.text("Total paid by bank transfer", weight="bold"), rx.spacer(),
                      rx.text(OrderState.total, weight="bold", size="5", id="order-total"), width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _updates_promise():
    # Only promised when the store sends email (MAIL_DISABLED=1 sends none); decided at build time, from settings.
    if get_settings().mail_mode == "off":
        return "Your order is confirmed. Keep this page's link to follow it."
    return "Your order is confirmed. We'll send updates to " + OrderState.email + "."


def order_page() -> rx.Component:
    return page(
        rx.cond(
            OrderState.load_failed,
            load_error("We couldn't load your order", on_retry=[CartState.load, OrderState.load]),
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
            empty_state("receipt", "We couldn't find that order",
                        "Check the link from your confirmation, or start again from the catalog.",
                        rx.link(rx.button("Go to the catalog"), href=routes.CATALOG), id="order-not-found"),
            rx.vstack(rx.heading("Your order", size="7"), _status(), _summary(), spacing="5", width="100%",
                      max_width="720px", margin_x="auto"),
        ),
    )
