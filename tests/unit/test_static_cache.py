"""Single-port mode's cache lifetimes: hashed assets kept a year, pages revalidated every time, routes untouched;
a page folder (`/cart`) served at its own path instead of redirecting to `/cart/`."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pepestore.static_cache import IMMUTABLE, REVALIDATE, StaticCaching, page_folder


@pytest.fixture
def build(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "root-BTTY0xz-.js").write_text("export{}")
    (tmp_path / "assets" / "styles-Ab12.css").write_text("a{}")
    (tmp_path / "cart").mkdir()
    (tmp_path / "cart" / "index.html").write_text("<h1>cart</h1>")
    (tmp_path / "index.html").write_text("<h1>shop</h1>")
    (tmp_path / "404.html").write_text("<h1>not found</h1>")
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "mug.webp").write_bytes(b"RIFF")
    return tmp_path


@pytest.fixture
def fetch(build):
    async def own_cache(_request):
        return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})

    async def plain(_request):
        return JSONResponse({"ok": True})

    inner = Starlette(routes=[Route("/health", own_cache), Route("/ping", plain),
                              Mount("/", StaticFiles(directory=build, html=True))])
    app = StaticCaching(inner, static_dir=lambda: build)

    def get(path: str, method: str = "GET") -> httpx.Response:
        async def go():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                return await client.request(method, path)
        return asyncio.run(go())
    return get


@pytest.mark.parametrize("path", ["/assets/root-BTTY0xz-.js", "/assets/styles-Ab12.css"])
def test_hashed_assets_are_kept_a_year_and_never_revalidated(fetch, path):
    response = fetch(path)
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == [IMMUTABLE]
    assert "immutable" in IMMUTABLE and "max-age=31536000" in IMMUTABLE


def test_a_missing_asset_is_not_cached(fetch):
    response = fetch("/assets/next-build-XYZ.js")
    assert response.status_code == 404
    assert response.headers["cache-control"] == REVALIDATE


@pytest.mark.parametrize("path", ["/", "/index.html", "/cart", "/cart/", "/nowhere"])
def test_pages_are_revalidated_every_time(fetch, path):
    response = fetch(path)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers.get_list("cache-control") == ["no-cache"]


def test_a_page_folder_is_served_at_its_own_path_without_a_redirect(fetch):
    response = fetch("/cart")
    assert response.status_code == 200 and response.text == "<h1>cart</h1>"
    assert fetch("/cart", method="HEAD").status_code == 200


def test_routes_and_other_files_keep_their_own_caching(fetch):
    assert fetch("/health").headers.get_list("cache-control") == ["no-store"]
    assert "cache-control" not in fetch("/ping").headers
    image = fetch("/products/mug.webp")
    assert image.status_code == 200 and "cache-control" not in image.headers


def test_only_folders_of_the_build_holding_a_page_are_rewritten(build):
    assert page_folder("/cart", build)
    for path in ["/cart/", "/products", "/assets", "/index.html", "/../cart", "/cart/../cart", "/", "/nowhere"]:
        assert not page_folder(path, build), path
