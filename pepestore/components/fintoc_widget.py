"""Fintoc's payment widget as a Reflex component, so Python pages open it without writing JavaScript.

    fintoc_widget(widget_url=..., public_key=..., session_token=..., open_count=State.n,
                  on_success=State.paid, on_exit=State.closed, on_load_error=State.failed)

Bumping `open_count` (re)opens it. `on_success` receives Fintoc's payload (a UI hint, never proof of payment).
"""

import reflex as rx


class FintocWidget(rx.Component):
    library = rx.asset("fintoc_widget.jsx", shared=True).importable_path
    tag = "FintocWidget"
    lib_dependencies: list[str] = ["@fintoc/fintoc-js@1.1.2"]

    widget_url: rx.Var[str]
    public_key: rx.Var[str]
    session_token: rx.Var[str]
    open_count: rx.Var[int]

    on_success: rx.EventHandler[rx.event.passthrough_event_spec(dict)]
    on_exit: rx.EventHandler[rx.event.no_args_event_spec]
    on_load_error: rx.EventHandler[rx.event.passthrough_event_spec(str)]


fintoc_widget = FintocWidget.create
