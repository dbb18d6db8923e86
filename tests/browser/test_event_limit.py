"""A script flooding the event websocket is cut to the per-connection rate, told so once, and the store keeps
serving: spoken at the socket level, as such a script would."""

import json

from pepestore.event_limit import SLOW_DOWN
from pepestore.state.catalog import CatalogState
from tests.browser.reflex_socket import ReflexSocket

FLOOD = 150


def test_a_flood_of_events_is_cut_to_the_rate_and_the_tab_is_told(store_url):
    socket = ReflexSocket(store_url)
    try:
        for _ in range(FLOOD):
            socket.emit(f"{CatalogState.get_full_name()}.clear_filters", {}, "/")
        updates = socket.updates(4)
    finally:
        socket.close()
    answered = [u for u in updates if "redirect" in json.dumps(u) or "replaceState" in json.dumps(u)
                or "_redirect" in json.dumps(u)]
    warned = [u for u in updates if json.dumps(SLOW_DOWN)[1:-1][:40] in json.dumps(u)]
    # The default allowance is 20 a second with bursts of 40: far fewer than the flood get through.
    assert 20 <= len(answered) <= 80, len(answered)
    assert len(warned) == 1


def test_a_well_behaved_connection_is_not_limited(store_url):
    socket = ReflexSocket(store_url)
    try:
        for _ in range(10):
            socket.emit(f"{CatalogState.get_full_name()}.clear_filters", {}, "/")
        updates = socket.updates(2)
    finally:
        socket.close()
    assert sum(1 for u in updates if "redirect" in json.dumps(u)) == 10
    assert SLOW_DOWN[:20] not in json.dumps(updates)
