import reflex as rx

from pepestore import routes
from pepestore.components.layout import empty_state, page
from pepestore.state.language import t


def not_found_page() -> rx.Component:
    return page(
        empty_state(
            "map-pin-off",
            t("notfound.title"),
            t("notfound.body"),
            rx.link(rx.button(t("order.to_catalog")), href=routes.CATALOG),
            id="page-not-found",
        )
    )
