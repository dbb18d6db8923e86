import reflex as rx

from pepestore import routes
from pepestore.components.layout import empty_state, page


def not_found_page() -> rx.Component:
    return page(
        empty_state(
            "map-pin-off",
            "This page doesn't exist",
            "The link may be old or mistyped. The catalog has everything we sell.",
            rx.link(rx.button("Go to the catalog"), href=routes.CATALOG),
            id="page-not-found",
        )
    )
