"""Only the store's own pages may open its event websocket: another site cannot drive its visitors' browsers.

Spoken at the socket level, as a browser on another site would: a WebSocket upgrade to Reflex's `/_event`
carrying that site's Origin header.
"""

from __future__ import annotations

import base64
import os
import socket
from urllib.parse import urlsplit

import pytest


def _handshake(store_url: str, origin: str | None) -> str:
    """The status line the store answers a WebSocket upgrade with."""
    parts = urlsplit(store_url)
    headers = [
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1",
        f"Host: {parts.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        headers.append(f"Origin: {origin}")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_the_stores_own_origin_is_accepted(store_url):
    assert " 101 " in _handshake(store_url, store_url)


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:1", "null"])
def test_a_foreign_origin_is_refused(store_url, origin):
    status = _handshake(store_url, origin)
    assert " 101 " not in status
    assert " 400 " in status or " 403 " in status
