"""The product page's early copy: found in the build, filled in escaped, in the reader's language, and skipped
whenever it cannot be right (no build, no published product)."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import threading

import pytest

from pepestore import early_product
from pepestore.early_product import EarlyProductPages, load_templates, reader_language, render, root_element
from pepestore.state.product_view import EARLY_MARK, EARLY_STOCK_LABEL, ProductView

SHELL = ('<!DOCTYPE html><html lang="es-CL"><head><meta charSet="utf-8"/></head><body><section></section>'
         '<div data-is-root-theme="true" class="radix-themes"><div title="x"></div></div>'
         '<script>window.__reactRouterContext = {};</script></body></html>')


def copy_template(words: str) -> str:
    marks = "".join(f"<p>{EARLY_MARK.format(name)}</p>" for name in
                    ("NAME", "CATEGORY", "PRICE", "DESCRIPTION", "STOCKTONE"))
    return (f'<div data-is-root-theme="true" class="radix-themes"><main><img src="{EARLY_MARK.format("IMAGE")}"/>'
            f'{marks}<span>{EARLY_STOCK_LABEL}</span><div><div>{words}</div></div></main></div>')


def page_html(root: str) -> str:
    return f'<html><head></head><body><section></section>{root}<script>window.__reactRouterContext</script></body></html>'


PRODUCT = ProductView(id=7, slug="tea", name='Tea <script>alert("x")</script>', description="Loose & fragrant.",
                      category="Coffee & Tea", image="/products/tea.webp", href="/product/tea", price="$5.990",
                      stock=60, stock_label="In stock", stock_tone="green")


@pytest.fixture
def build(tmp_path):
    (tmp_path / "__spa-fallback.html").write_text(SHELL)
    (tmp_path / "early-product").mkdir()
    (tmp_path / "early-product" / "es.html").write_text(page_html(copy_template("Todos los productos")))
    (tmp_path / "early-product" / "en").mkdir()
    (tmp_path / "early-product" / "en" / "index.html").write_text(page_html(copy_template("All products")))
    return tmp_path


def test_the_root_element_is_found_whole_among_nested_divs():
    root = copy_template("x")
    assert root_element(page_html(root) + "<div>after</div>") == root


def test_templates_come_from_the_build_and_are_missing_without_one(build, tmp_path_factory):
    templates = load_templates(build)
    assert templates is not None and set(templates.copies) == {"es-CL", "en"}
    assert templates.copies["en"].startswith('<div id="product-early" data-is-root-theme="true"')
    assert load_templates(tmp_path_factory.mktemp("empty")) is None


def test_render_fills_every_placeholder_escaped_in_the_readers_language(build):
    templates = load_templates(build)
    spanish = render(templates, PRODUCT, "es-CL")
    assert "zqzEARLY" not in spanish
    assert "<script>alert" not in spanish and "Tea &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in spanish
    assert 'src="/products/tea.webp"' in spanish and "Coffee &amp; Tea" in spanish
    assert "<span>Disponible</span>" in spanish and "Todos los productos" in spanish
    assert '<meta name="description" content="Loose &amp; fragrant." data-early/>' in spanish
    assert "<title data-early>Tea &lt;script&gt;" in spanish
    assert '<html lang="es-CL"' in spanish
    # The copy sits in the body before the router's scripts, outside the root React hydrates.
    assert spanish.index('id="product-early"') > spanish.index('class="radix-themes"><div title="x"></div></div>')
    assert spanish.index('id="product-early"') < spanish.index("<script>window.__reactRouterContext")
    english = render(templates, dataclasses.replace(PRODUCT, stock=3, stock_tone="orange"), "en")
    assert "<span>Only 3 left</span>" in english and "All products" in english and '<html lang="en"' in english
    assert "<span>Agotado</span>" in render(templates, dataclasses.replace(PRODUCT, stock=0, stock_tone="gray"),
                                            "es-CL")


def test_the_language_comes_from_the_cookie_and_anything_odd_is_spanish():
    def scope(cookie: bytes) -> dict:
        return {"headers": [(b"cookie", cookie)]}

    assert reader_language(scope(b"a=1; pepestore_lang=en")) == "en"
    assert reader_language(scope(b"pepestore_lang=fr")) == "es-CL"
    assert reader_language(scope(b"other=en")) == "es-CL"
    assert reader_language({"headers": []}) == "es-CL"


class Recorder:
    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"plain"})


def call(app, path: str, method: str = "GET") -> tuple[int, bytes]:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_middleware_serves_the_copy_only_for_a_published_product(build, monkeypatch):
    found = {"tea": PRODUCT}

    def read(fn, slug):
        return found.get(slug)

    monkeypatch.setattr(early_product, "run_in_session", read)
    inner = Recorder()
    app = EarlyProductPages(inner, static_dir=lambda: build)
    status, body = call(app, "/product/tea")
    assert status == 200 and b'id="product-early"' in body and inner.calls == 0
    assert call(app, "/product/nothing") == (200, b"plain")  # the live page will say "not found"
    assert call(app, "/product/tea", method="HEAD") == (200, b"plain")
    assert call(app, "/cart") == (200, b"plain")
    assert call(app, "/early-product/es")[0] == 404
    assert call(app, "/early-product/en.html")[0] == 404


def test_without_a_build_or_with_the_database_down_the_page_is_served_as_before(build, monkeypatch, tmp_path_factory):
    def down(fn, slug):
        raise OSError("database unavailable")

    monkeypatch.setattr(early_product, "run_in_session", down)
    assert call(EarlyProductPages(Recorder(), static_dir=lambda: build), "/product/tea") == (200, b"plain")
    empty = tmp_path_factory.mktemp("nobuild")
    assert call(EarlyProductPages(Recorder(), static_dir=lambda: empty), "/product/tea") == (200, b"plain")


def test_the_build_check_the_read_the_render_and_the_gzip_all_run_off_the_event_loop(build, monkeypatch):
    threads = {}

    def spy(name, real):
        def wrapped(*args, **kwargs):
            threads[name] = threading.get_ident()
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(early_product, "run_in_session", spy("read", lambda fn, slug: PRODUCT))
    monkeypatch.setattr(early_product, "render", spy("render", early_product.render))
    monkeypatch.setattr(early_product.gzip, "compress", spy("gzip", gzip.compress))
    app = EarlyProductPages(Recorder(), static_dir=lambda: build)
    monkeypatch.setattr(app, "templates", spy("templates", app.templates))
    loop_thread = {}

    async def run():
        loop_thread["id"] = threading.get_ident()
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/product/tea",
                 "headers": [(b"accept-encoding", b"gzip, br")]}
        await app(scope, None, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 200 and (b"content-encoding", b"gzip") in sent[0]["headers"]
    assert b'id="product-early"' in gzip.decompress(sent[1]["body"])
    assert set(threads) == {"templates", "read", "render", "gzip"}
    assert loop_thread["id"] not in threads.values()
