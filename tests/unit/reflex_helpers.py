"""Drive Reflex states without a browser: instantiate them, place them at a URL, read the toasts they return."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import reflex as rx
from reflex.istate.data import RouterData

# A toast compiles to JS like: (() => (refs['__toast']?.["error"]("Ese producto no existe.")))
_TOAST = re.compile(r"""__toast'\]\?\.\["(\w+)"\]\((".*?")(?:,.*)?\)\)\)$""")


async def new_state(cls):
    root = rx.State(_reflex_internal_init=True)
    return await root.get_state(cls)


def visit(state, url: str) -> None:
    """Make state.router describe url, as the browser's hydrate/on_load would."""
    parts = urlsplit(url)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    router_data = {
        "headers": {"origin": "http://localhost:3000"},
        "pathname": parts.path,
        "asPath": parts.path + (f"?{parts.query}" if parts.query else ""),
        "query": query,
    }
    root = state._get_root_state() if hasattr(state, "_get_root_state") else state
    root.router = RouterData.from_router_data(router_data)


def toasts(result) -> list[tuple[str, str]]:
    """(level, message) for every toast in what a handler returned."""
    specs = result if isinstance(result, list) else [result] if result is not None else []
    found = []
    for spec in specs:
        for _name, value in getattr(spec, "args", ()):
            match = _TOAST.search(str(value))
            if match:
                found.append((match.group(1), json.loads(match.group(2))))
    return found
