import httpx

from pepestore.health import health_report
from tests.conftest import service_unavailable
from tests.integration.store_server import StoreServer


def test_health_reports_version_database_and_redis(engine, monkeypatch):
    with StoreServer(monkeypatch) as store:
        response = httpx.get(f"{store.url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["database"] == "ok" and body["redis"] == "not configured"
    assert body["version"] and body["reflex"] == "0.10.1"


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
