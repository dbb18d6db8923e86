import reflex as rx

from pepestore.components.layout import empty_state
from pepestore.state.language import t
from pepestore.state.page_load import RetryState


def load_error(title: str | rx.Var, on_retry: list) -> rx.Component:
    """What a page shows when its load failed (see pepestore/state/page_load.py): a plain message and Retry.

    on_retry: the page's on_load handlers, run again in the same order.
    """
    return empty_state(
        "cloud-off",
        title,
        t("page.load_error_body"),
        rx.button(
            rx.icon("rotate-cw", size=16),
            t("page.retry"),
            on_click=[RetryState.start, *on_retry, RetryState.finish],
            loading=RetryState.busy,
            size="3",
        ),
        id="load-error",
        role="alert",
    )
