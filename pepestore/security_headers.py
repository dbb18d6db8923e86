"""The response headers every page and route carries, built once from settings.

One policy, two users: the ASGI middleware below (single-port mode, and every backend response) and the nginx
renderer (pepestore/nginx_config.py), so the store behind nginx answers exactly what it answers on its own.

Why each source is there:
- script-src 'unsafe-inline': the prerendered pages carry React Router's inline bootstrap scripts and Reflex's
  colour-mode script; 'unsafe-eval': Reflex runs the server's `rx.toast`/`rx.call_script` events through `eval`
  (reflex's state.js, `_call_function`). Without them the pages do not hydrate or show toasts.
- style-src 'unsafe-inline': emotion and Radix write <style> tags and style attributes at run time.
- Fintoc: its widget script comes from js.fintoc.com (or FINTOC_WIDGET_URL's origin) and opens its own frames
  and calls from Fintoc's hosts. The sandbox is served by the store itself, so 'self' covers it.
- connect-src: Reflex's event websocket goes to the backend at PUBLIC_URL's host (ws:/wss:; 'self' alone does not
  match websockets in every browser).
- frame-ancestors 'none': no other site may frame the store (clickjacking the Pay button).
- Referrer-Policy no-referrer: order links carry their secret token; no other site may learn it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pepestore.settings import Settings, get_settings

FINTOC_SCRIPT_ORIGIN = "https://js.fintoc.com"
# Fintoc's widget frames and calls its own hosts (which ones is not documented): trust Fintoc's domain for those.
FINTOC_HOSTS = "https://*.fintoc.com"
HSTS = "max-age=63072000"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    public = origin(settings.public_url)
    websocket = ("wss://" if public.startswith("https://") else "ws://") + urlsplit(public).netloc
    fintoc: list[str] = []
    frame = ["'self'"] if settings.fintoc_sandbox else []
    if not settings.fintoc_sandbox:
        widget = origin(settings.fintoc_widget_url)
        fintoc = list(dict.fromkeys([FINTOC_SCRIPT_ORIGIN, widget]))
        frame = list(dict.fromkeys([widget, FINTOC_HOSTS]))
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'", *fintoc],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", websocket, *([] if settings.fintoc_sandbox else [*fintoc, FINTOC_HOSTS])],
        "frame-src": frame or ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def security_headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    }
    if settings.public_url.startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """ASGI middleware: adds the headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None):
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in
                         (headers if headers is not None else security_headers(get_settings())).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in self._headers if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
