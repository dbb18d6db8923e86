"""What the catalog's first paint costs, part by part: the page as served against copies with one part taken out.

    python bench/paint_bisect.py --url http://localhost:3000/ [--runs 15]

Fetches the page a running Pepestore serves (a production build), makes copies of it and serves them all from one
local proxy: each copy at /__bisect/<name>/, compressed once up front as the store serves its pages, every other
path passed through to the store, so each copy loads the same images and scripts the same way. Then times them the
way bench/catalog_paint.py does (a new browser context per load, until the first `.product-name` is painted by
Element Timing), alternating the copies, one warm-up, then the median of --runs. Prints each copy's median and its
ratio to the page as served.

The copies:
- served: the page unchanged (through the proxy, like the others);
- no scripts: every <script> removed, inline or not. The first paint needs none; what is left is HTML and CSS.
  The first-frame mark the catalog's script sets is written into <html> instead (pepestore/pages/catalog.py), so
  these copies hold back the same cards in their first frame as the page as served (at this 1280x900 viewport);
- no scripts, 8 cards: the same with only the first eight product cards (two rows at 1280 px);
- no scripts, no forms: every form, input and button on the page turned into plain elements (the sort menu's one
  <select> stays): what Chromium's form scan (autofill) looks over at DOMContentLoaded;
- no scripts, no custom properties: every custom property declaration removed from the inlined CSS, so every
  `var()` falls back. A rough attribution: the page then also draws less (no colours, borders or shadows);
- no scripts, no inline CSS: the inlined stylesheet removed (an unstyled page);
- blank: one product name on an otherwise empty page: the floor of this browser on this machine.

The copies point at where the time goes; they are not the gain of a change to the store. Taking the cards' forms out
of the real build gained much less than "no forms" here (README "Benchmarks"), since the frame then does the style and
layout the form scan had forced. Figures in README name the run they come from; compare copies within one run only.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
for _path in (str(HERE.parent), str(HERE)):  # the store's package and catalog_paint beside it, run from anywhere
    if _path not in sys.path:
        sys.path.insert(0, _path)

from catalog_paint import ARGS, Target, measure  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from pepestore.pages.catalog import FIRST_FRAME_MARK  # noqa: E402
from tests.browser.store_process import free_port  # noqa: E402

SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
INLINE_CSS = re.compile(r"(<style data-critical[^>]*>)(.*?)(</style>)", re.S)
CUSTOM_PROPERTY = re.compile(r"--[\w-]+\s*:[^;{}]*;?")
CARD = re.compile(r'<div class="[^"]*\bproduct-card\b[^"]*"')
DIV = re.compile(r"<div\b|</div>")
FORM_CONTROL = re.compile(r"<(/?)(form|button)\b")
INPUT = re.compile(r"<input\b[^>]*>")
PRODUCT_NAME = re.compile(r'class="[^"]*\bproduct-name\b[^"]*"[^>]*>(?:<[^>]+>)*([^<]+)<')


def without_scripts(html: str) -> str:
    """No script; the first-frame mark the catalog's script would set is in the HTML instead (if it had one)."""
    bare = SCRIPT.sub("", html)
    if FIRST_FRAME_MARK in html:
        bare = re.sub(r"<html\b", f'<html {FIRST_FRAME_MARK}=""', bare, count=1)
    return bare


def _element_end(html: str, start: int) -> int:
    """Where the <div> that opens at `start` closes (just past its </div>)."""
    depth = 0
    for tag in DIV.finditer(html, start):
        depth += 1 if tag.group(0) == "<div" else -1
        if depth == 0:
            return tag.end()
    raise ValueError("an unclosed <div>")


def first_cards(html: str, keep: int) -> str:
    """The page with only its first `keep` product cards."""
    cards = [match.start() for match in CARD.finditer(html)]
    for start in reversed(cards[keep:]):
        html = html[:start] + html[_element_end(html, start):]
    return html


def without_forms(html: str) -> str:
    """Forms become divs, buttons spans, inputs a span showing 1 (hidden ones nothing): no form controls left."""
    html = FORM_CONTROL.sub(lambda m: f"<{m.group(1)}{'div' if m.group(2) == 'form' else 'span'}", html)
    return INPUT.sub(lambda m: "" if 'type="hidden"' in m.group(0) else "<span>1</span>", html)


def without_custom_properties(html: str) -> str:
    return INLINE_CSS.sub(lambda m: m.group(1) + CUSTOM_PROPERTY.sub("", m.group(2)) + m.group(3), html)


def without_inline_css(html: str) -> str:
    return INLINE_CSS.sub("", html)


def blank(html: str) -> str:
    """One product name (the page's first) on an empty page; in a block, as on a card: Chromium reports a text's
    paint on the block that holds it."""
    found = PRODUCT_NAME.search(html)
    name = found.group(1) if found else "Product"  # text of the page's HTML: already escaped
    return (f'<!DOCTYPE html><html lang="es-CL"><head><meta charset="utf-8"><title>{name}</title></head>'
            f'<body><a class="product-name" href="#"><p>{name}</p></a></body></html>')


def copies(html: str) -> dict[str, str]:
    bare = without_scripts(html)
    return {
        "served": html,
        "no scripts": bare,
        "no scripts, 8 cards": first_cards(bare, 8),
        "no scripts, no forms": without_forms(bare),
        "no scripts, no custom properties": without_custom_properties(bare),
        "no scripts, no inline CSS": without_inline_css(bare),
        "blank": blank(html),
    }


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def proxy_app(store: str, pages: dict[str, str]) -> Starlette:
    client = httpx.AsyncClient(base_url=store, timeout=30)
    # Compressed once, as the store serves its pages pre-compressed: no copy pays for compressing itself per load.
    by_slug = {slug(name): gzip.compress(html.encode(), 9) for name, html in pages.items()}

    async def page(request: Request) -> Response:
        body = by_slug.get(request.path_params["name"])
        if body is None:
            return Response(status_code=404)
        return Response(body, media_type="text/html; charset=utf-8",
                        headers={"Content-Encoding": "gzip", "Cache-Control": "no-cache", "Vary": "Accept-Encoding"})

    async def passed_on(request: Request) -> Response:
        answer = await client.get(request.url.path, params=request.query_params)
        headers = {key: value for key, value in answer.headers.items()
                   if key.lower() in ("content-type", "cache-control", "etag", "last-modified")}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    return Starlette(routes=[Route("/__bisect/{name}/", page), Route("/{path:path}", passed_on)])


def serve(app: Starlette) -> tuple[str, uvicorn.Server]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the proxy did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:3000/", help="the running store's catalog page")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    page = httpx.get(args.url, timeout=30)
    page.raise_for_status()
    pages = copies(page.text)
    store = str(httpx.URL(args.url).copy_with(path="/", query=None))
    proxy, server = serve(proxy_app(store.rstrip("/"), pages))
    try:
        sites = {name: f"{proxy}/__bisect/{slug(name)}/" for name in pages}
        target = Target("catalog", "", ("css", ".product-name"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
            medians = measure(browser, sites, target, args.runs)
            browser.close()
    finally:
        server.should_exit = True
    served = medians["served"][0]
    print(f"\nfirst product painted, median of {args.runs} (each copy through the same proxy):")
    for name, (painted, _polled) in medians.items():
        size = len(pages[name].encode())
        print(f"  {name:<34} {painted * 1000:6.0f} ms   {painted / served:4.2f}x   {size / 1024:6.0f} KB of HTML")


if __name__ == "__main__":
    main()
