"""The response headers' policy, and the middleware that puts it on every HTTP response."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pepestore.security_headers import SecurityHeaders, content_security_policy, security_headers
from pepestore.settings import load_settings

LIVE_KEYS = {"FINTOC_SECRET_KEY": "sk_live_x", "FINTOC_PUBLIC_KEY": "pk_live_x", "FINTOC_WEBHOOK_SECRET": "whsec_x"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} appears twice"
        parsed[name] = values
    return parsed


def sandbox_settings(**env):
    return load_settings({"FINTOC_SANDBOX": "1", "PUBLIC_URL": "http://localhost:3000", **env})


def live_settings(**env):
    return load_settings({**LIVE_KEYS, "MAIL_DISABLED": "1", "PUBLIC_URL": "https://shop.example.cl", **env})


def test_no_site_may_frame_the_store_and_no_plugins_or_base_tricks():
    for settings in (sandbox_settings(), live_settings()):
        csp = directives(content_security_policy(settings))
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]
        assert csp["default-src"] == ["'self'"] and csp["form-action"] == ["'self'"]


def test_with_keys_fintoc_widget_may_load_and_frame_and_the_websocket_is_wss():
    csp = directives(content_security_policy(live_settings()))
    assert "https://js.fintoc.com" in csp["script-src"]
    assert "https://*.fintoc.com" in csp["frame-src"] and "'self'" not in csp["frame-src"]
    assert "wss://shop.example.cl" in csp["connect-src"]


def test_a_configured_widget_url_is_allowed_by_its_origin():
    csp = directives(content_security_policy(live_settings(FINTOC_WIDGET_URL="https://widget.cdn.example/v9/x.js")))
    assert "https://widget.cdn.example" in csp["script-src"] and "https://js.fintoc.com" in csp["script-src"]
    assert "https://widget.cdn.example" in csp["frame-src"]


def test_the_sandbox_is_the_store_itself_and_trusts_no_fintoc_host():
    csp = directives(content_security_policy(sandbox_settings()))
    assert not any("fintoc" in value for values in csp.values() for value in values)
    assert csp["frame-src"] == ["'self'"]
    assert "ws://localhost:3000" in csp["connect-src"]


def test_hsts_only_when_the_public_address_is_https():
    assert "Strict-Transport-Security" not in security_headers(sandbox_settings())
    headers = security_headers(live_settings())
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def wrapped_app(tmp_path):
    (tmp_path / "index.html").write_text("<h1>shop</h1>")

    async def own_headers(_request):
        return PlainTextResponse("x", headers={"Referrer-Policy": "same-origin"})

    inner = Starlette(routes=[Route("/own", own_headers), Mount("/", StaticFiles(directory=tmp_path, html=True))])
    return SecurityHeaders(inner, security_headers(live_settings()))


@pytest.mark.parametrize("path", ["/", "/index.html", "/missing"])
def test_the_middleware_covers_pages_and_errors(wrapped_app, path):
    transport = httpx.ASGITransport(app=wrapped_app)

    async def fetch():
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    response = asyncio.run(fetch())
    assert response.headers["content-security-policy"] == content_security_policy(live_settings())
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_the_middleware_keeps_a_header_a_route_set_itself(wrapped_app):
    async def fetch():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped_app), base_url="http://t") as client:
            return await client.get("/own")

    response = asyncio.run(fetch())
    assert response.headers.get_list("referrer-policy") == ["same-origin"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
