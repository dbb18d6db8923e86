"""The nginx configuration deploy/topology.sh renders: sandbox routed only with FINTOC_SANDBOX=1, the app's own
security headers on every location, abuse limits on /_event and /payments/, and nginx itself accepts it."""

import dataclasses
import os
import re
import shutil
import socket
import subprocess
import time

import httpx
import pytest

from pepestore.nginx_config import render
from pepestore.security_headers import security_headers
from pepestore.settings import PROJECT_ROOT, SettingsError, load_settings
from tests.conftest import service_unavailable

TEMPLATE = (PROJECT_ROOT / "deploy" / "nginx.conf.template").read_text()
SANDBOX = {"FINTOC_SANDBOX": "1", "PUBLIC_URL": "http://localhost:8080"}
LIVE = {"FINTOC_SECRET_KEY": "sk_live_x", "FINTOC_PUBLIC_KEY": "pk_live_x", "FINTOC_WEBHOOK_SECRET": "whsec_x",
        "MAIL_DISABLED": "1",
        "PUBLIC_URL": "https://shop.example.cl"}
# What bench/topology.sh sets: its shoppers all come from one address.
LIFTED = {**SANDBOX, "NGINX_EVENT_RATE": "100000", "NGINX_EVENT_BURST": "100000", "NGINX_EVENT_CONNECTIONS": "60000",
          "NGINX_PAYMENTS_RATE": "100000", "NGINX_PAYMENTS_BURST": "100000", "NGINX_PAYMENTS_CONNECTIONS": "60000"}


def rendered(env: dict, tmp_path) -> str:
    return render(TEMPLATE, run_dir=str(tmp_path), static_dir=str(tmp_path / "static"), port=18080,
                  upstreams=["127.0.0.1:18101", "127.0.0.1:18102"], settings=load_settings(env))


def locations(conf: str) -> dict[str, str]:
    """Each location's path pattern and body (the template has no nested blocks inside a location)."""
    return {m.group(1).strip(): m.group(2)
            for m in re.finditer(r"^        location ([^{]+)\{(.*?)^        \}", conf, re.S | re.M)}


def test_with_the_sandbox_nginx_routes_it_to_the_app(tmp_path):
    sandbox = locations(rendered(SANDBOX, tmp_path))["/sandbox/"]
    assert "proxy_pass http://pepestore_backend;" in sandbox


def test_with_real_keys_nginx_never_routes_the_sandbox(tmp_path):
    conf = rendered(LIVE, tmp_path)
    assert locations(conf)["/sandbox/"].strip() == "return 404;"
    backend_patterns = [path for path, body in locations(conf).items() if "proxy_pass" in body]
    assert not any("sandbox" in path for path in backend_patterns)
    assert "@" not in conf, "every placeholder is filled in"


@pytest.mark.parametrize("env", [SANDBOX, LIVE], ids=["sandbox", "live"])
def test_every_location_that_sets_its_own_headers_repeats_the_security_headers(env, tmp_path):
    conf = rendered(env, tmp_path)
    expected = security_headers(load_settings(env))
    server_level = re.split(r"^        location ", conf, maxsplit=1, flags=re.M)[0]
    for name, value in expected.items():
        assert f'add_header {name} "{value}" always;' in server_level
        assert f"proxy_hide_header {name};" in server_level, "the app's copy is hidden, so each appears once"
    for path, body in locations(conf).items():
        if "add_header" in body:  # nginx then drops the server's add_header lines for this location
            for name in expected:
                assert f"add_header {name} " in body, f"{path} lacks {name}"
    assert ("Strict-Transport-Security" in conf) == env["PUBLIC_URL"].startswith("https://")


def test_event_and_payment_routes_are_rate_and_connection_limited(tmp_path):
    routes = locations(rendered(SANDBOX, tmp_path))
    assert re.search(r"limit_req zone=pepestore_event_req burst=\d+", routes["/_event"])
    assert re.search(r"limit_conn pepestore_event_conn \d+;", routes["/_event"])
    payments = routes["/payments/"]
    assert re.search(r"limit_conn pepestore_payments_conn \d+;", payments)
    burst = re.search(r"limit_req zone=pepestore_payments_req burst=(\d+)( nodelay)?;", payments)
    assert burst and int(burst.group(1)) >= 50 and not burst.group(2), "webhook bursts wait, they are not refused"
    health = next(body for path, body in routes.items() if "health$" in path)
    assert re.search(r"limit_req zone=pepestore_plain_req burst=\d+", health)


LIMITS = {"event": ("NGINX_EVENT_RATE", "NGINX_EVENT_BURST", "NGINX_EVENT_CONNECTIONS"),
          "payments": ("NGINX_PAYMENTS_RATE", "NGINX_PAYMENTS_BURST", "NGINX_PAYMENTS_CONNECTIONS")}
LOCATION = {"event": "/_event", "payments": "/payments/"}


def limits(conf: str, route: str) -> tuple[str, str, str]:
    """The rate of a route's zone, and its location's burst and connection limit, as written."""
    rate = re.findall(rf"limit_req_zone \$binary_remote_addr zone=pepestore_{route}_req:10m rate=(\d+)r/s;", conf)
    body = locations(conf)[LOCATION[route]]
    burst = re.findall(rf"limit_req zone=pepestore_{route}_req burst=(\d+)(?: nodelay)?;", body)
    connections = re.findall(rf"limit_conn pepestore_{route}_conn (\d+);", body)
    assert len(rate) == len(burst) == len(connections) == 1, "each limit is written once, as a number"
    return rate[0], burst[0], connections[0]


@pytest.mark.parametrize("env", [SANDBOX, LIVE], ids=["sandbox", "live"])
def test_per_address_limits_default_to_what_they_were(env, tmp_path):
    conf = rendered(env, tmp_path)
    assert limits(conf, "event") == ("10", "50", "50"), "handshakes 10/s, 50 at once beyond that, 50 sockets"
    assert limits(conf, "payments") == ("10", "100", "20"), "webhooks 10/s, 100 more waiting, 20 at once"


def test_per_address_limits_follow_the_settings_and_nothing_else_does(tmp_path):
    conf = rendered({**SANDBOX, "NGINX_EVENT_RATE": "11", "NGINX_EVENT_BURST": "700", "NGINX_EVENT_CONNECTIONS": "90",
                     "NGINX_PAYMENTS_RATE": "250", "NGINX_PAYMENTS_BURST": "4000",
                     "NGINX_PAYMENTS_CONNECTIONS": "300"}, tmp_path)
    assert limits(conf, "event") == ("11", "700", "90")
    assert limits(conf, "payments") == ("250", "4000", "300")
    assert "burst=700 nodelay;" in locations(conf)["/_event"], "handshakes beyond the burst are still refused at once"
    assert "nodelay" not in locations(conf)["/payments/"], "webhooks beyond the rate still wait"
    default = rendered(SANDBOX, tmp_path)

    def others(text: str) -> list[str]:
        return [line for line in text.splitlines() if not re.search(r"pepestore_(event|payments)_(req|conn)", line)]
    assert others(conf) == others(default), "the other zones and locations keep their limits"


def test_one_route_s_settings_leave_the_other_route_alone(tmp_path):
    conf = rendered({**SANDBOX, "NGINX_PAYMENTS_RATE": "250"}, tmp_path)
    assert limits(conf, "payments") == ("250", "100", "20") and limits(conf, "event") == ("10", "50", "50")


@pytest.mark.parametrize("name", [*LIMITS["event"], *LIMITS["payments"]])
@pytest.mark.parametrize("raw", ["0", "-5", "ten", "1.5", "10r/s", "", "20; allow all"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(name, raw):
    with pytest.raises(SettingsError, match=name):
        load_settings({**SANDBOX, name: raw})


@pytest.mark.parametrize("route", ["event", "payments"])
def test_nginx_refuses_more_than_65535_connections_so_the_settings_do(route, tmp_path):
    name = LIMITS[route][2]
    assert limits(rendered({**SANDBOX, name: "65535"}, tmp_path), route)[2] == "65535"
    with pytest.raises(SettingsError, match=f"{name} must be at most 65535"):
        load_settings({**SANDBOX, name: "65536"})


@pytest.mark.parametrize("field", [f"nginx_{route}_{kind}" for route in LIMITS
                                   for kind in ("rate", "burst", "connections")])
@pytest.mark.parametrize("value", [0, -1, "20; allow all", 2.5, True])
def test_render_refuses_a_hand_built_bad_limit(field, value, tmp_path):
    settings = dataclasses.replace(load_settings(SANDBOX), **{field: value})
    with pytest.raises(ValueError, match=field):
        render(TEMPLATE, run_dir=str(tmp_path), static_dir=str(tmp_path), port=18080, upstreams=["127.0.0.1:9"],
               settings=settings)


@pytest.mark.parametrize("env", [SANDBOX, LIVE, LIFTED], ids=["sandbox", "live", "lifted"])
def test_nginx_accepts_the_rendered_configuration(env, tmp_path):
    if not shutil.which("nginx"):
        service_unavailable("nginx is not installed (apt-get install nginx-light)")
    (tmp_path / "static").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered(env, tmp_path))
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_staff_sign_in_and_the_order_export_reach_the_app_rate_limited(tmp_path):
    routes = locations(rendered(SANDBOX, tmp_path))
    plain = next(body for path, body in routes.items() if "health$" in path)
    path = next(path for path, body in routes.items() if "health$" in path)
    assert "auth/" in path and "admin/export/" in path
    assert "limit_req zone=pepestore_plain_req" in plain


def test_hashed_assets_are_kept_a_year_and_pages_revalidated(tmp_path):
    conf = rendered(SANDBOX, tmp_path)
    routes = locations(conf)
    assert 'add_header Cache-Control "public, max-age=31536000, immutable";' in routes["/assets/"]
    assert "expires" not in routes["/assets/"], "one Cache-Control header, not two"
    assert "add_header Cache-Control $pepestore_page_cache always;" in routes["/"]
    page_cache = re.search(r"map \$sent_http_content_type \$pepestore_page_cache \{(.*?)\}", conf, re.S)
    assert page_cache, "the page cache map is defined"
    assert re.search(r'~\^text/html\s+"no-cache";', page_cache.group(1))
    assert re.search(r'default\s+"";', page_cache.group(1)), "no header on images and other files"


def test_nginx_serves_the_build_with_these_lifetimes(tmp_path):
    """nginx itself, on a small build: the map really sees the response's type (pages no-cache, images nothing)."""
    if not shutil.which("nginx"):
        service_unavailable("nginx is not installed (apt-get install nginx-light)")
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "assets" / "root-BTTY0xz-.js").write_text("export{}")
    (static / "index.html").write_text("<h1>shop</h1>")
    (static / "cart.html").write_text("<h1>cart</h1>")
    (static / "__spa-fallback.html").write_text("<h1>app</h1>")
    (static / "favicon.svg").write_text("<svg/>")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(TEMPLATE, run_dir=str(tmp_path), static_dir=str(static), port=port,
                           upstreams=["127.0.0.1:9"], settings=load_settings(SANDBOX)))
    # As root nginx's workers would drop to nobody, who cannot read pytest's private tmp folder.
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    process = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(conf), "-g", directives],
                               stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(base + "/favicon.svg")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        for path in ["/", "/cart", "/product/some-slug"]:
            page = httpx.get(base + path)
            assert page.status_code == 200 and page.headers.get_list("cache-control") == ["no-cache"], path
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"], path
        asset = httpx.get(base + "/assets/root-BTTY0xz-.js")
        assert asset.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]
        assert "frame-ancestors 'none'" in asset.headers["content-security-policy"]
        assert "cache-control" not in httpx.get(base + "/favicon.svg").headers
        missing = httpx.get(base + "/assets/next-build-XYZ.js")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    finally:
        process.terminate()
        process.wait(timeout=10)
def test_photos_and_uploads_reach_the_backend_with_their_own_limits(tmp_path):
    found = locations(rendered(SANDBOX, tmp_path))
    media, upload = found["^~ /media/"], found["^~ /_upload"]
    assert "proxy_pass http://pepestore_backend;" in media and "proxy_cache pepestore_media;" in media
    assert "proxy_pass http://pepestore_backend;" in upload and "client_max_body_size 26m;" in upload
    # product pages (read from the database) are limited in a zone of their own, apart from photos and sign-in
    product = found["^~ /product/"]
    assert "limit_req zone=pepestore_product_req" in product and "pepestore_plain_req" not in product
    # everything else keeps the small body limit set for the server
    assert not any("_upload" in path for path in found if path != "^~ /_upload")
