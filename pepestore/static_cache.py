"""Cache lifetimes for the frontend the store serves itself (single-port mode, `reflex run --env prod`), the same
ones nginx gives it (deploy/nginx.conf.template):

- /assets/ holds only Vite's output, every file named by a hash of its content: a new build writes new names, so
  a browser may keep each one for a year without asking again (`immutable`).
- Pages (HTML) name the current build's assets: the browser must ask every time (`no-cache`, answered with a
  304 while the build is unchanged), or it would keep showing pages that load a previous build's files.
- Anything else (product images, the favicon, backend routes) is left as it was: routes set their own.

Also serves a page that is a folder of the build (`/cart` is `cart/index.html`) at its own path: the static mount
would otherwise answer with a redirect to `/cart/`, one more round trip before the cart paints. nginx does the
same with `try_files`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED_PREFIX = "/assets/"


def cache_control(path: str, status: int, content_type: str) -> str | None:
    """The Cache-Control the frontend's response gets, or None to leave it alone."""
    if path.startswith(HASHED_PREFIX):
        # Only a file that exists is forever: a 404 for a name the next build may write must not be kept.
        return IMMUTABLE if status in (200, 304) else REVALIDATE
    if content_type.startswith("text/html"):
        return REVALIDATE
    return None


def page_folder(path: str, static_dir: Path) -> bool:
    """True if `path` names a folder of the build holding a page (`/cart` -> cart/index.html)."""
    if path.endswith("/") or "." in path.rsplit("/", 1)[-1]:
        return False
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in ("..", ".") or "\\" in p for p in parts):
        return False
    return static_dir.joinpath(*parts, "index.html").is_file()


class StaticCaching:
    """ASGI middleware: cache lifetimes on the frontend's responses, and page folders served without a redirect."""

    def __init__(self, app: ASGIApp, static_dir: Callable[[], Path] | None = None):
        self.app = app
        self._static_dir = static_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if (self._static_dir is not None and scope["method"] in ("GET", "HEAD")
                and page_folder(path, self._static_dir())):
            path = path + "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}

        async def send_with_cache_control(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                names = {name.lower(): value for name, value in headers}
                if b"cache-control" not in names:
                    value = cache_control(path, message["status"], names.get(b"content-type", b"").decode("latin-1"))
                    if value is not None:
                        message["headers"] = [*headers, (b"cache-control", value.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cache_control)
