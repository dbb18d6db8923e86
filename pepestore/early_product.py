"""Product pages that paint from their first HTML.

Every /product/<slug> is one client-side route, so the build has no HTML of it: the browser got an empty shell and
the product appeared only after the JavaScript, the websocket and the load event. This middleware answers
GET /product/<slug> with that same shell plus an *early copy* of the page for that product: plain HTML, outside the
part of the document React hydrates, filled in from the database on this request. A small style hides the live page
while the copy is there; a script removes the copy as soon as the live page shows anything other than its loading
skeleton (the product read by the load event, the not-found message, a load error, or another page). Until then
the copy may be a few seconds stale, which is harmless: the cart and the checkout price from the database.

The copy is not hand-written: `early_product_page` (pepestore/pages/product.py) renders the product page's own
components with placeholder values, prerendered at build time in each language (routes.EARLY_PRODUCT); here the
placeholders are replaced by the product's values, HTML-escaped. Its cost per request is one indexed read, a few
string replacements and a gzip (~2.5 ms for a 70 KB page), whatever the catalog's size; all of it, and the check
for a new build, runs in a worker thread, so a product page never stalls the other tabs on the event loop. A slug
with no published product gets the plain shell, so the live page says it was not found exactly as before. Without
a production build (no templates) nothing changes.
"""

from __future__ import annotations

import asyncio
import gzip
import html
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from pepestore import page_meta, routes
from pepestore.db import run_in_session
from pepestore.i18n import DEFAULT, normalise, say
from pepestore.state.language import COOKIE
from pepestore.state.product import read_product
from pepestore.state.product_view import EARLY_FIELDS, EARLY_MARK, EARLY_STOCK_LABEL, ProductView

log = logging.getLogger("pepestore.pages")

PREFIX = "/product/"
SHELL = "__spa-fallback.html"
ROOT_OPEN = '<div data-is-root-theme="true"'
BODY_SCRIPTS = "<script>window.__reactRouterContext"
EARLY_ID = "product-early"

# While the early copy is in the document, the live page (still its skeleton) stays hidden behind it.
EARLY_STYLE = (f'<style id="{EARLY_ID}-style" data-early>'
               f"body:has(> #{EARLY_ID}) > [data-is-root-theme]:not(#{EARLY_ID}){{display:none}}</style>")
# Removes the copy in the same task as React's commit that shows the live page (a MutationObserver's callback runs
# before the browser paints or handles anything else), so the two are never on screen, or in the DOM, together.
# The copy's title and description go with it once the live page has its own (React adds them beside, not over,
# ours; the first <title> is the tab's), so they cannot outlive the product in the tab or on the next page. One
# that React took over as its own (same content when it hydrated) is the only one of its kind and stays.
EARLY_SCRIPT = """<script>(function () {
  var early = document.getElementById("%s");
  if (!early) return;
  var observer = new MutationObserver(function () {
    var live = document.querySelector("body > [data-is-root-theme]:not(#%s)");
    if (live && live.querySelector("main") && !live.querySelector("#product-loading")) {
      observer.disconnect();
      early.remove();
      document.querySelectorAll("head > [data-early]").forEach(function (own) {
        var kind = own.tagName === "META" ? 'head > meta[name="description"]' : "head > title";
        if (own.tagName === "STYLE" || document.querySelector(kind + ":not([data-early])")) own.remove();
      });
    }
  });
  observer.observe(document.body, {childList: true, subtree: true});
})();</script>""" % (EARLY_ID, EARLY_ID)


@dataclass(frozen=True)
class Templates:
    shell: str  # the client-side route's HTML, as the build wrote it
    copies: dict[str, str]  # language -> the early copy's root element, with placeholders


def _page_file(static_dir: Path, route: str) -> Path | None:
    relative = route.strip("/")
    for candidate in (static_dir / f"{relative}.html", static_dir / relative / "index.html"):
        if candidate.is_file():
            return candidate
    return None


def root_element(page_html: str) -> str:
    """The prerendered page's theme root (`<div data-is-root-theme …>…</div>`), found by counting div tags: React's
    HTML escapes every `<` in text and attributes, so each `<div` and `</div>` in it is a tag."""
    start = page_html.index(ROOT_OPEN)
    depth, at = 0, start
    while True:
        opening, closing = page_html.find("<div", at), page_html.find("</div>", at)
        if closing < 0:
            raise ValueError("unbalanced page")
        if 0 <= opening < closing:
            depth, at = depth + 1, opening + 4
            continue
        depth, at = depth - 1, closing + len("</div>")
        if depth == 0:
            return page_html[start:at]


def load_templates(static_dir: Path) -> Templates | None:
    shell_file = static_dir / SHELL
    if not shell_file.is_file():
        return None
    copies = {}
    for language, route in routes.EARLY_PRODUCT.items():
        page_file = _page_file(static_dir, route)
        if page_file is None:
            return None
        root = root_element(page_file.read_text(encoding="utf-8"))
        copies[language] = root.replace(ROOT_OPEN, f'<div id="{EARLY_ID}" {ROOT_OPEN[5:]}', 1)
    shell = shell_file.read_text(encoding="utf-8")
    if BODY_SCRIPTS not in shell or "</head>" not in shell:
        return None
    return Templates(shell=shell, copies=copies)


def stock_text(product: ProductView, language: str) -> str:
    if product.stock == 0:
        return say(language, "stock.out")
    if product.stock_tone == "orange":
        return say(language, "stock.few", count=product.stock)
    return say(language, "stock.in")


def render(templates: Templates, product: ProductView, language: str) -> str:
    """The shell with the product's early copy, its title and description, in the reader's language."""
    copy = templates.copies[language]
    values = {EARLY_MARK.format(field.replace("_", "").upper()): getattr(product, field) for field in EARLY_FIELDS}
    values[EARLY_STOCK_LABEL] = stock_text(product, language)
    for mark, value in values.items():
        copy = copy.replace(mark, html.escape(str(value), quote=True))
    head = (f"<title data-early>{html.escape(page_meta.product_title(product.name))}</title>"
            f'<meta name="description" content="{html.escape(page_meta.describe(product.description), quote=True)}"'
            f" data-early/>{EARLY_STYLE}")
    page = templates.shell.replace("</head>", head + "</head>", 1)
    page = page.replace(BODY_SCRIPTS, copy + EARLY_SCRIPT + BODY_SCRIPTS, 1)
    if language != DEFAULT:
        # What the page's own script would set before the first paint (pepestore/state/language.py).
        page = page.replace(f'<html lang="{DEFAULT}"', f'<html lang="{language}"', 1)
    return page


def reader_language(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, cookie = part.strip().partition("=")
                if key == COOKIE:
                    return normalise(unquote(cookie))
    return DEFAULT


def accepts_gzip(scope: Scope) -> bool:
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope.get("headers", []))


class EarlyProductPages:
    """ASGI middleware: GET /product/<slug> answered with the product's early copy in the page (see above)."""

    def __init__(self, app: ASGIApp, static_dir: Callable[[], Path]):
        self.app = app
        self._static_dir = static_dir
        self._templates: tuple[float, Templates | None] | None = None
        self._loading = threading.Lock()  # requests come in on several worker threads; one of them reads a new build

    def templates(self) -> Templates | None:
        # Read once per build: the shell's modification time changes with every build.
        shell = self._static_dir() / SHELL
        stamp = shell.stat().st_mtime if shell.is_file() else 0.0
        with self._loading:
            if self._templates is None or self._templates[0] != stamp:
                try:
                    self._templates = (stamp, load_templates(self._static_dir()))
                except (OSError, ValueError):
                    log.warning("the product page's early copy could not be prepared", exc_info=True)
                    self._templates = (stamp, None)
            return self._templates[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if any(path.rstrip("/") == route or path.startswith(route + ".") for route in routes.EARLY_PRODUCT.values()):
            await _answer(send, 404, b"Not found", "text/plain; charset=utf-8")  # templates, not pages
            return
        slug = path[len(PREFIX):].rstrip("/") if path.startswith(PREFIX) else ""
        if not slug or "/" in slug:
            await self.app(scope, receive, send)
            return
        page = await asyncio.to_thread(self.early_page, slug, reader_language(scope), accepts_gzip(scope))
        if page is None:
            await self.app(scope, receive, send)  # no build, or the plain shell: the live page says "not found"
            return
        body, headers = page
        await _answer(send, 200, body, "text/html; charset=utf-8", headers)

    def early_page(self, slug: str, language: str, gzipped: bool) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        """The page with the product's early copy (body, extra headers), or None to serve the plain shell. Blocking:
        runs in a worker thread."""
        templates = self.templates()
        if templates is None:
            return None
        try:
            product = run_in_session(read_product, slug)  # scope["path"] is already decoded
        except Exception:  # noqa: BLE001 - no early copy is slower, not wrong: the live page loads as before
            log.warning("could not read product %r for its early copy", slug, exc_info=True)
            return None
        if product is None:
            return None
        body = render(templates, product, language).encode()
        headers = [(b"vary", b"Accept-Encoding, Cookie")]
        if gzipped:
            body = gzip.compress(body, compresslevel=6)
            headers.append((b"content-encoding", b"gzip"))
        return body, headers


async def _answer(send: Send, status: int, body: bytes, content_type: str,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
