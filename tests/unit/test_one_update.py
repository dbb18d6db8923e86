"""A handler's delta and the browser events it returns reach the tab in one websocket message, in order."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex_base.event import Event
from reflex_base.event.processor import BaseStateEventProcessor
from reflex_base.utils.format import format_event_handler

from pepestore.one_update import install_one_update
from pepestore.state.cart import CartState
from tests.unit.reflex_helpers import toasts
from tests.unit.test_state_handlers import product_id


class FakeNamespace:
    def __init__(self):
        self.sent: list[tuple[str, StateUpdate]] = []

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        self.sent.append((token, update))
        await asyncio.sleep(0)  # as Reflex's does, to let the websocket writer run


class FakeApp:
    def __init__(self):
        self.event_namespace = FakeNamespace()


def _installed() -> FakeNamespace:
    app = FakeApp()
    install_one_update(app)
    return app.event_namespace


DELTA = {"cart": {"item_count": 1}}
TOAST = [Event(name="_call_function", payload={"function": "toast"})]


async def _next_turns():
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_delta_and_the_events_of_the_same_step_go_as_one_message():
    namespace = _installed()
    await namespace.emit_update(update=StateUpdate(delta=DELTA), token="tab")
    await namespace.emit_update(update=StateUpdate(events=TOAST), token="tab")
    await _next_turns()
    assert namespace.sent == [("tab", StateUpdate(delta=DELTA, events=TOAST))]


async def test_a_delta_nothing_follows_is_sent_alone_within_the_next_loop_turns():
    namespace = _installed()
    await namespace.emit_update(update=StateUpdate(delta=DELTA), token="tab")
    assert namespace.sent == []
    await _next_turns()
    assert namespace.sent == [("tab", StateUpdate(delta=DELTA))]


async def test_nothing_is_reordered_or_merged_across_tabs_or_with_a_second_delta():
    namespace = _installed()
    second = {"cart": {"item_count": 2}}
    await namespace.emit_update(StateUpdate(delta=DELTA), "tab")
    await namespace.emit_update(StateUpdate(events=TOAST), "other tab")  # another tab's events: not merged
    await namespace.emit_update(StateUpdate(delta=second), "tab")  # the first delta goes before the second
    await namespace.emit_update(StateUpdate(delta=DELTA, events=TOAST), "tab")  # already whole: sent as is
    await _next_turns()
    assert namespace.sent == [
        ("other tab", StateUpdate(events=TOAST)),
        ("tab", StateUpdate(delta=DELTA)),
        ("tab", StateUpdate(delta=second)),
        ("tab", StateUpdate(delta=DELTA, events=TOAST)),
    ]


async def test_a_held_delta_goes_before_an_update_another_task_emits_for_the_tab():
    namespace = _installed()
    await namespace.emit_update(StateUpdate(delta=DELTA), "tab")
    # The turn ends (the flush is scheduled) and, before it runs, a background task emits for the same tab.
    await asyncio.sleep(0)
    await namespace.emit_update(StateUpdate(events=[Event(name="_redirect", payload={})]), "tab")
    await _next_turns()
    assert [update for _, update in namespace.sent] == [
        StateUpdate(delta=DELTA, events=[Event(name="_redirect", payload={})])
    ] or [update for _, update in namespace.sent] == [
        StateUpdate(delta=DELTA), StateUpdate(events=[Event(name="_redirect", payload={})])
    ]
    assert len([u for _, u in namespace.sent if u.delta]) == 1  # the delta is sent exactly once


async def test_add_to_cart_through_reflexs_event_processor_sends_one_message_with_the_toast(engine):
    """The real processor: the cart's delta and its "added" toast arrive together, delta first."""
    namespace = _installed()
    processor = BaseStateEventProcessor(middleware=None, backend_exception_handler=None)
    mug = product_id(engine, "ceramic-mug-terracotta")
    handler = format_event_handler(CartState.event_handlers["add_to_cart"])
    manager = StateManagerMemory()
    route = {"pathname": "/", "query": {}, "asPath": "/"}
    async with manager.modify_state(BaseStateToken(ident="tab", cls=rx.State)) as root:
        root.router_data = dict(route)  # a tab that has hydrated already (no page load runs first)
    async with processor.configure(state_manager=manager, event_namespace=namespace):
        done = await processor.enqueue("tab", Event(name=handler, payload={"product_id": mug, "quantity": 1},
                                                    router_data=route))
        await asyncio.wait_for(done, 10)
        await _next_turns()
    cart_updates = [update for _, update in namespace.sent if CartState.get_full_name() in update.delta]
    assert len(cart_updates) == 1
    update = cart_updates[0]
    assert update.delta[CartState.get_full_name()]["item_count_rx_state_"] == 1
    assert toasts([_as_spec(event) for event in update.events]) == [
        ("success", "Agregaste Terracotta Ceramic Mug a tu carrito.")
    ]


class _as_spec:
    """toasts() reads the compiled call from an event spec's args; a routed Event carries it in its payload."""

    def __init__(self, event: Event):
        self.args = tuple(event.payload.items())
