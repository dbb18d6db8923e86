"""POST /auth/login and /auth/logout over HTTP: origin checks, cookie flags, generic refusals, lockout."""

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from pepestore.models import utcnow
from pepestore.staff_models import StaffSession
from pepestore.store import staff

PASSWORD = "correct horse battery"
ORIGIN = {"Origin": "http://localhost:3000"}


@pytest.fixture
def client(engine, session):
    from pepestore.api import build_api

    staff.create_staff(session, "owner@example.cl", PASSWORD, "owner", utcnow())
    session.commit()
    with TestClient(build_api(), base_url="http://localhost:3000") as client:
        yield client


def post_login(client, email="owner@example.cl", password=PASSWORD, headers=ORIGIN, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, headers=headers,
                       follow_redirects=False, **kwargs)


def test_signing_in_sets_a_strict_http_only_cookie_and_redirects(client, session):
    response = post_login(client)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("pepestore_staff=")
    for flag in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # http://localhost: a Secure cookie would never be sent back
    token = cookie.split(";")[0].split("=", 1)[1]
    assert staff.signed_in(session, token, utcnow()).email == "owner@example.cl"


def test_https_stores_get_secure_cookies(client, monkeypatch):
    from tests.conftest import _clear_caches

    monkeypatch.setenv("PUBLIC_URL", "https://shop.example.cl")
    _clear_caches()
    response = post_login(client, headers={"Origin": "https://shop.example.cl"})
    assert "secure" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize("headers", [{}, {"Origin": "https://evil.example"}, {"Origin": "null"}])
def test_a_foreign_or_missing_origin_is_forbidden(client, headers, session):
    assert post_login(client, headers=headers).status_code == 403
    assert session.exec(select(StaffSession)).all() == []


def test_a_wrong_login_is_401_with_one_generic_message(client):
    for email, password in [("owner@example.cl", "wrong password!"), ("nobody@example.cl", PASSWORD)]:
        response = post_login(client, email, password)
        assert response.status_code == 401 and response.json() == {"error": staff.WRONG_LOGIN}
        assert "set-cookie" not in response.headers
    page = post_login(client, "x@example.cl", "nope", headers={**ORIGIN, "Accept": "text/html"})
    assert page.status_code == 401 and "Back to sign in" in page.text


def test_five_failures_then_429_even_with_the_right_password(client):
    for _ in range(5):
        assert post_login(client, password="wrong password!").status_code == 401
    assert post_login(client).status_code == 429


def test_logout_deletes_the_session_row_at_once(client, session):
    token = post_login(client).headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.set("pepestore_staff", token)
    assert client.post("/auth/logout", headers={"Origin": "https://evil.example"}).status_code == 403
    assert staff.signed_in(session, token, utcnow()) is not None
    response = client.post("/auth/logout", headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert 'pepestore_staff=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    session.expire_all()
    assert session.exec(select(StaffSession)).all() == []


def test_an_oversized_form_is_refused(client):
    response = client.post("/auth/login", content=b"email=" + b"a" * 10_000, headers={
        **ORIGIN, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_exporting_orders_is_on_the_record(client, session):
    from pepestore.staff_models import AuditEntry

    token = post_login(client).headers["set-cookie"].split(";")[0].split("=", 1)[1]
    client.cookies.set("pepestore_staff", token)
    response = client.get("/admin/export/orders.csv?status=paid")
    assert response.status_code == 200 and response.text.startswith("order_number,")
    session.expire_all()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "orders_exported")).one()
    assert entry.actor == "owner@example.cl" and "status=paid" in entry.detail
