"""Order limits kept in Redis are one count for every instance: two limiters (two app instances) share it, and
concurrent hits never let more through than the limit."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from pepestore.limits import LimitExceeded, RedisLimiter, admit_new_order, get_limiter
from tests.conftest import _clear_caches


@pytest.fixture
def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_two_instances_share_one_count(redis_url, key):
    first, second = RedisLimiter(redis_url), RedisLimiter(redis_url)
    assert first.hit_all([(key, 3)], 60) is None
    assert second.hit_all([(key, 3)], 60) is None
    assert first.hit_all([(key, 3)], 60) is None
    assert second.hit_all([(key, 3)], 60) == key
    assert first.hit_all([(key, 3)], 60) == key


def test_a_refusal_counts_nothing_on_any_key(redis_url, key):
    limiter = RedisLimiter(redis_url)
    assert limiter.hit_all([(key + ":ip", 1)], 60) is None
    assert limiter.hit_all([(key + ":browser", 2), (key + ":ip", 1)], 60) == key + ":ip"
    assert limiter.hit_all([(key + ":browser", 2)], 60) is None
    assert limiter.hit_all([(key + ":browser", 2)], 60) is None
    assert limiter.hit_all([(key + ":browser", 2)], 60) == key + ":browser"


def test_concurrent_hits_from_many_instances_admit_exactly_the_limit(redis_url, key):
    limiters = [RedisLimiter(redis_url) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: limiters[i % 4].hit_all([(key, 5)], 60), range(40)))
    assert results.count(None) == 5


def test_the_window_slides(redis_url, key):
    import time

    limiter = RedisLimiter(redis_url)
    assert limiter.hit_all([(key, 1)], 0.3) is None
    assert limiter.hit_all([(key, 1)], 0.3) == key
    time.sleep(0.4)
    assert limiter.hit_all([(key, 1)], 0.3) is None


def test_the_store_uses_redis_when_it_is_configured(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("LIMIT_ORDERS_PER_BROWSER", "1")
    _clear_caches()
    get_limiter.cache_clear()
    try:
        assert isinstance(get_limiter()._primary, RedisLimiter)
        browser = uuid.uuid4().hex
        admit_new_order(browser, None)
        get_limiter.cache_clear()  # a fresh process (another instance) still sees the count
        with pytest.raises(LimitExceeded):
            admit_new_order(browser, None)
    finally:
        get_limiter.cache_clear()
        _clear_caches()
