"""A minimal Reflex websocket client (Engine.IO 4 / Socket.IO 5 over a raw websocket), to call event handlers the
way any script could: no browser, no cookie unless given one."""

from __future__ import annotations

import json
import time
import uuid

import simple_websocket

NAMESPACE = "/_event"


class ReflexSocket:
    def __init__(self, base_url: str, cookie: str | None = None, origin: str | None = None):
        self.token = str(uuid.uuid4())
        url = base_url.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Origin": origin or base_url}
        if cookie:
            headers["Cookie"] = cookie
        self.ws = simple_websocket.Client.connect(url, headers=headers)
        # Generous: on a loaded 2-core machine the worker can be busy for seconds with other tests' tabs.
        assert (self.ws.receive(timeout=30) or "").startswith("0"), "no Engine.IO open within 30 s"
        self.ws.send(f"40{NAMESPACE},")
        while not (self.ws.receive(timeout=10) or "").startswith(f"40{NAMESPACE}"):
            pass

    def emit(self, name: str, payload: dict, path: str) -> None:
        event = {"name": name, "payload": payload, "router_data": {"pathname": path, "query": {}, "asPath": path}}
        self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    def updates(self, seconds: float) -> list[dict]:
        """Every state update the server sends within `seconds` (answering its pings)."""
        found, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = self.ws.receive(timeout=left)
            if message is None:
                continue
            if message == "2":
                self.ws.send("3")
            elif message.startswith(f"42{NAMESPACE},"):
                _name, data = json.loads(message[len(f"42{NAMESPACE},"):])
                found.append(json.loads(data) if isinstance(data, str) else data)
        return found

    def close(self) -> None:
        self.ws.close()
