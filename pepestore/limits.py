"""Abuse limits: how often one browser or one address may place orders, and how fast one connection may send.

Order limits are counted in Redis when REDIS_URL is set, so every instance behind the load balancer sees the same
count; in this process otherwise (one instance, one worker). A connection lives on one worker, so its event rate is
always counted in process.

Counts are sliding windows: a shopper blocked at 12:00:30 for "5 in 10 minutes" is let in again as soon as the
oldest of those five is ten minutes old, not at an arbitrary boundary.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from redis.exceptions import RedisError

from pepestore.settings import get_settings
from pepestore.store.errors import StoreError

log = logging.getLogger("pepestore.limits")

KEY_PREFIX = "pepestore:limit:"
TOO_MANY_ORDERS = ("You have started several checkouts in a short time. Please wait a few minutes before trying "
                   "again — nothing was reserved or charged.")


class LimitExceeded(StoreError):
    """A limit refused the request; nothing was counted or reserved."""


class Limiter(Protocol):
    def hit_all(self, keys: Sequence[tuple[str, int]], window_seconds: float) -> str | None:
        """Count one hit against every (key, limit) if all are under their limit; else count none and return the
        first key that is full."""

    def record(self, key: str, window_seconds: float) -> int:
        """Count one hit, unconditionally; the hits in the window, this one included."""

    def count(self, key: str, window_seconds: float) -> int:
        """The hits in the window, counting none."""


class MemoryLimiter:
    """One process's sliding windows. Thread-safe: checkout runs in worker threads."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit_all(self, keys: Sequence[tuple[str, int]], window_seconds: float) -> str | None:
        now = self._clock()
        with self._lock:
            for key, limit in keys:
                if len(self._pruned(key, window_seconds, now)) >= limit:
                    return key
            for key, _ in keys:
                self._hits.setdefault(key, deque()).append(now)
        return None

    def record(self, key: str, window_seconds: float) -> int:
        now = self._clock()
        with self._lock:
            hits = self._pruned(key, window_seconds, now)
            self._hits[key] = hits
            hits.append(now)
            return len(hits)

    def count(self, key: str, window_seconds: float) -> int:
        with self._lock:
            return len(self._pruned(key, window_seconds, self._clock()))

    def _pruned(self, key: str, window_seconds: float, now: float) -> deque[float]:
        """The key's hits still inside the window; a key left with none is forgotten (memory stays bounded)."""
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - window_seconds:
            hits.popleft()
        if not hits:
            self._hits.pop(key, None)
        return hits


# All keys are checked, then all are counted, inside Redis: two instances can never both take the last slot.
_HIT_ALL = """
local now = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_ms)
    if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then
        return key
    end
end
for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[3] .. ':' .. i)
    redis.call('PEXPIRE', key, window_ms)
end
return false
"""


class RedisLimiter:
    def __init__(self, url: str):
        import redis

        # Asked inside a checkout's transaction: a slow Redis must not hold row locks for long.
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_HIT_ALL)

    def hit_all(self, keys: Sequence[tuple[str, int]], window_seconds: float) -> str | None:
        # Redis's clock, not ours: instances whose clocks disagree still share one window.
        now_ms = self._now_ms()
        full = self._script(keys=[KEY_PREFIX + key for key, _ in keys],
                            args=[now_ms, int(window_seconds * 1000), uuid.uuid4().hex, *[limit for _, limit in keys]])
        if not full:
            return None
        full = full.decode() if isinstance(full, bytes) else full
        return full.removeprefix(KEY_PREFIX)

    def _now_ms(self) -> int:
        seconds, micros = self._redis.time()
        return seconds * 1000 + micros // 1000

    def record(self, key: str, window_seconds: float) -> int:
        now_ms, window_ms, name = self._now_ms(), int(window_seconds * 1000), KEY_PREFIX + key
        pipe = self._redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, "-inf", now_ms - window_ms)
        pipe.zadd(name, {uuid.uuid4().hex: now_ms})
        pipe.pexpire(name, window_ms)
        pipe.zcard(name)
        return int(pipe.execute()[-1])

    def count(self, key: str, window_seconds: float) -> int:
        now_ms, name = self._now_ms(), KEY_PREFIX + key
        return int(self._redis.zcount(name, now_ms - int(window_seconds * 1000) + 1, "+inf"))


class ResilientLimiter:
    """Redis's count while Redis answers; this process's count (with a log line) while it does not, so a Redis blip
    neither turns every shopper away nor locks staff out of the back office."""

    def __init__(self, primary: Limiter, fallback: Limiter | None = None):
        self._primary, self._fallback = primary, fallback or MemoryLimiter()

    def _either(self, method: str, *args):
        try:
            return getattr(self._primary, method)(*args)
        except RedisError:
            log.warning("Redis did not answer; limits are counted per process for now")
            return getattr(self._fallback, method)(*args)

    def hit_all(self, keys: Sequence[tuple[str, int]], window_seconds: float) -> str | None:
        return self._either("hit_all", keys, window_seconds)

    def record(self, key: str, window_seconds: float) -> int:
        return self._either("record", key, window_seconds)

    def count(self, key: str, window_seconds: float) -> int:
        return self._either("count", key, window_seconds)


@functools.cache
def get_limiter() -> Limiter:
    url = get_settings().redis_url
    return ResilientLimiter(RedisLimiter(url)) if url else MemoryLimiter()


def address_key(client_ip: str | None) -> str | None:
    """What one shopper's address is, for limits: an IPv4 address, or the /64 an IPv6 host is given (one home or
    phone gets a whole /64, so counting single IPv6 addresses would count nothing)."""
    if not client_ip:
        return None
    try:
        address = ipaddress.ip_address(client_ip.strip("[]"))
    except ValueError:
        return client_ip[:64]
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def admit_new_order(browser: str | None, client_ip: str | None, limiter: Limiter | None = None) -> None:
    """Count a new order against its browser and its address, or refuse it (LimitExceeded) counting nothing."""
    settings = get_settings()
    keys = []
    if browser:
        keys.append((f"orders:browser:{browser}", settings.orders_per_browser))
    if client_ip:
        keys.append((f"orders:ip:{address_key(client_ip)}", settings.orders_per_ip))
    if keys and (limiter or get_limiter()).hit_all(keys, settings.orders_window_seconds) is not None:
        raise LimitExceeded(TOO_MANY_ORDERS)


class TokenBucket:
    """Events per second for one connection, with a burst of twice the rate (a page load sends a few at once)."""

    __slots__ = ("rate", "capacity", "tokens", "stamp")

    def __init__(self, rate: float, now: float):
        self.rate = rate
        self.capacity = rate * 2
        self.tokens = self.capacity
        self.stamp = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
