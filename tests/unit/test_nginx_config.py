"""The nginx configuration deploy/topology.sh renders: sandbox routed only with FINTOC_SANDBOX=1, the app's own
security headers on every location, abuse limits on /_event and /payments/, and nginx itself accepts it."""

import re
import shutil
import subprocess

import pytest

from pepestore.nginx_config import render
from pepestore.security_headers import security_headers
from pepestore.settings import PROJECT_ROOT, load_settings
from tests.conftest import service_unavailable

TEMPLATE = (PROJECT_ROOT / "deploy" / "nginx.conf.template").read_text()
SANDBOX = {"FINTOC_SANDBOX": "1", "PUBLIC_URL": "http://localhost:8080"}
LIVE = {"FINTOC_SECRET_KEY": "sk_live_x", "FINTOC_PUBLIC_KEY": "pk_live_x", "FINTOC_WEBHOOK_SECRET": "whsec_x",
        "MAIL_DISABLED": "1",
        "PUBLIC_URL": "https://shop.example.cl"}


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


@pytest.mark.parametrize("env", [SANDBOX, LIVE], ids=["sandbox", "live"])
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


def test_photos_and_uploads_reach_the_backend_with_their_own_limits(tmp_path):
    found = locations(rendered(SANDBOX, tmp_path))
    media, upload = found["^~ /media/"], found["^~ /_upload"]
    assert "proxy_pass http://pepestore_backend;" in media and "proxy_cache pepestore_media;" in media
    assert "proxy_pass http://pepestore_backend;" in upload and "client_max_body_size 26m;" in upload
    # everything else keeps the small body limit set for the server
    assert not any("_upload" in path for path in found if path != "^~ /_upload")
