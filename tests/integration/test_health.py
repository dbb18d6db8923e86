import httpx

from pepestore.health import health_report
from tests.conftest import service_unavailable
from tests.integration.store_server import StoreServer


OPERATOR_TOKEN = "op-7f3a9c1e5b2d4f60a8e9"


def test_health_tells_the_public_only_whether_the_store_is_up(engine, monkeypatch):
    monkeypatch.setenv("HEALTH_TOKEN", OPERATOR_TOKEN)
    with StoreServer(monkeypatch) as store:
        anonymous = httpx.get(f"{store.url}/health")
        wrong = [httpx.get(f"{store.url}/health", headers={"Authorization": value}) for value in (
            "Bearer op-7f3a9c1e5b2d4f60a8e8", f"Basic {OPERATOR_TOKEN}", OPERATOR_TOKEN, "Bearer",
            f"Bearer {OPERATOR_TOKEN[:-1]}", f"Bearer {OPERATOR_TOKEN}x")]
    assert anonymous.status_code == 200
    assert anonymous.json() == {"ok": True, "database": "ok", "redis": "not configured"}
    assert anonymous.headers["cache-control"] == "no-store"
    assert [r.json() for r in wrong] == [anonymous.json()] * len(wrong)


def test_health_tells_the_operator_the_commit_and_versions(engine, monkeypatch):
    monkeypatch.setenv("HEALTH_TOKEN", OPERATOR_TOKEN)
    with StoreServer(monkeypatch) as store:
        response = httpx.get(f"{store.url}/health", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["database"] == "ok" and body["redis"] == "not configured"
    assert body["version"] and body["reflex"] == "0.10.1"


def test_without_a_health_token_nobody_sees_the_versions(engine, monkeypatch):
    monkeypatch.delenv("HEALTH_TOKEN", raising=False)
    with StoreServer(monkeypatch) as store:
        for header in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer None"}):
            assert set(httpx.get(f"{store.url}/health", headers=header).json()) == {"ok", "database", "redis"}


def test_the_health_token_is_not_in_the_settings_repr(monkeypatch):
    from pepestore.settings import load_settings

    assert OPERATOR_TOKEN not in repr(load_settings({"HEALTH_TOKEN": OPERATOR_TOKEN, "FINTOC_SANDBOX": "1"}))


def test_health_says_when_redis_answers_or_not(engine, monkeypatch):
    from tests.conftest import _clear_caches

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    _clear_caches()
    report = health_report()
    if report["redis"] != "ok":
        service_unavailable(f"Redis is not answering at 127.0.0.1:6379 ({report['redis']})")
    assert report["ok"]
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    _clear_caches()
    down = health_report()
    assert not down["ok"] and down["redis"].startswith("error")


def test_health_is_not_ok_when_the_database_is_gone(monkeypatch, tmp_path):
    from tests.conftest import _clear_caches

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    _clear_caches()
    report = health_report()
    assert not report["ok"] and report["database"].startswith("error")
    _clear_caches()
