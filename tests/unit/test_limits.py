"""Abuse limits: sliding windows that count all-or-nothing, the per-connection event bucket, and how checkout
uses them (a shopper over a limit is told so, and nothing is reserved)."""

import json

import pytest
from sqlmodel import select

from pepestore.event_limit import SLOW_DOWN, install_event_limit
from pepestore.limits import TOO_MANY_ORDERS, LimitExceeded, MemoryLimiter, TokenBucket, admit_new_order
from pepestore.models import Order, OrderStatus, Product, utcnow
from pepestore.store import cart, orders
from pepestore.store.errors import StoreError
from tests.conftest import _clear_caches


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_window_admits_its_limit_then_refuses_until_the_oldest_hit_ages_out():
    clock = Clock()
    limiter = MemoryLimiter(clock)
    for _ in range(3):
        assert limiter.hit_all([("a", 3)], 60) is None
        clock.now += 10
    assert limiter.hit_all([("a", 3)], 60) == "a"
    clock.now = 1000.0 + 60  # the first hit is now exactly a window old
    assert limiter.hit_all([("a", 3)], 60) is None
    assert limiter.hit_all([("a", 3)], 60) == "a"


def test_a_refusal_counts_nothing_on_any_key():
    limiter = MemoryLimiter(Clock())
    assert limiter.hit_all([("ip", 1)], 60) is None
    assert limiter.hit_all([("browser", 5), ("ip", 1)], 60) == "ip"
    # the browser's key was not spent by the refused attempt
    for _ in range(5):
        assert limiter.hit_all([("browser", 5)], 60) is None
    assert limiter.hit_all([("browser", 5)], 60) == "browser"


def test_new_orders_are_limited_per_browser_and_per_address(monkeypatch):
    monkeypatch.setenv("LIMIT_ORDERS_PER_BROWSER", "2")
    monkeypatch.setenv("LIMIT_ORDERS_PER_IP", "3")
    _clear_caches()
    limiter = MemoryLimiter(Clock())
    admit_new_order("browser-1", "10.0.0.1", limiter)
    admit_new_order("browser-1", "10.0.0.1", limiter)
    with pytest.raises(LimitExceeded, match="several checkouts"):
        admit_new_order("browser-1", "10.0.0.1", limiter)
    admit_new_order("browser-2", "10.0.0.1", limiter)  # a second browser behind the same address
    with pytest.raises(LimitExceeded):
        admit_new_order("browser-3", "10.0.0.1", limiter)
    admit_new_order("browser-3", "10.0.0.2", limiter)
    _clear_caches()


def test_a_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(10, now=0.0)
    assert sum(bucket.take(0.0) for _ in range(50)) == 20  # burst of twice the rate
    assert not bucket.take(0.05)
    assert bucket.take(0.1)  # one more event's worth after a tenth of a second
    assert sum(bucket.take(1.1) for _ in range(50)) == 10


# -- checkout --------------------------------------------------------------------------------------------------

def _cart_with(session, slug: str, quantity: int = 1) -> str:
    product_id = session.exec(select(Product.id).where(Product.slug == slug)).one()
    token = cart.add_item(session, "", product_id, quantity).cart.token
    session.commit()
    return token


def _stock(session, slug: str) -> int:
    session.expire_all()
    return session.exec(select(Product.stock).where(Product.slug == slug)).one()


def test_open_orders_per_address_are_limited_and_a_refusal_reserves_nothing(session, monkeypatch):
    monkeypatch.setenv("LIMIT_PENDING_ORDERS_PER_IP", "2")
    from pepestore.settings import get_settings
    get_settings.cache_clear()
    for _ in range(2):
        orders.place_order(session, _cart_with(session, "brass-table-lamp"), "ana@example.cl", None, utcnow(),
                           client_ip="10.0.0.9")
        session.commit()
    before = _stock(session, "trail-backpack-20l")
    token = _cart_with(session, "trail-backpack-20l")
    with pytest.raises(StoreError, match="Ya hay 2 pedidos esperando pago"):
        orders.place_order(session, token, "ana@example.cl", None, utcnow(), client_ip="10.0.0.9")
    session.rollback()
    assert _stock(session, "trail-backpack-20l") == before
    # another address is not held back by this one's open orders
    orders.place_order(session, token, "ana@example.cl", None, utcnow(), client_ip="10.0.0.10")
    session.commit()
    get_settings.cache_clear()


def test_a_cart_never_has_two_open_orders(session):
    token = _cart_with(session, "brass-table-lamp")
    first = orders.place_order(session, token, "ana@example.cl", None, utcnow())
    session.commit()
    product_id = session.exec(select(Product.id).where(Product.slug == "trail-backpack-20l")).one()
    cart.add_item(session, token, product_id, 1)
    session.commit()
    second = orders.place_order(session, token, "ana@example.cl", None, utcnow())
    session.commit()
    open_orders = session.exec(select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT)).all()
    assert [order.id for order in open_orders] == [second.id] and second.id != first.id


def test_the_rate_limit_is_asked_last_and_its_refusal_reserves_nothing(session):
    token = _cart_with(session, "brass-table-lamp")
    before = _stock(session, "brass-table-lamp")
    asked = []

    def refuse():
        asked.append(True)
        raise LimitExceeded(TOO_MANY_ORDERS)

    with pytest.raises(LimitExceeded):
        orders.place_order(session, token, "ana@example.cl", None, utcnow(), admit=refuse)
    session.rollback()
    assert asked and _stock(session, "brass-table-lamp") == before
    assert session.exec(select(Order)).all() == []
    # bad input is refused before the allowance is spent
    with pytest.raises(StoreError, match="correo válido"):
        orders.place_order(session, token, "not an email", None, utcnow(), admit=refuse)
    assert len(asked) == 1


def test_a_repeat_of_the_same_order_does_not_spend_the_allowance(session):
    token = _cart_with(session, "brass-table-lamp")
    spent = []
    first = orders.place_order(session, token, "ana@example.cl", None, utcnow(), admit=lambda: spent.append(1))
    session.commit()
    again = orders.place_order(session, token, "ana@example.cl", None, utcnow(), admit=lambda: spent.append(1))
    assert again.id == first.id and spent == [1]


async def test_pay_over_the_limit_tells_the_shopper(engine, monkeypatch):
    from pepestore.state.checkout import CheckoutState
    from pepestore.state.cart import CartState
    from pepestore.db import session_scope
    from tests.unit.reflex_helpers import new_state, toasts, visit

    monkeypatch.setenv("LIMIT_ORDERS_PER_BROWSER", "1")
    from pepestore import limits
    from pepestore.settings import get_settings
    get_settings.cache_clear()
    limits.get_limiter.cache_clear()
    with session_scope() as session:
        token = _cart_with(session, "brass-table-lamp")
        orders.place_order(session, token, "ana@example.cl", None, utcnow(),
                           admit=lambda: admit_new_order(token, None))
        product_id = session.exec(select(Product.id).where(Product.slug == "trail-backpack-20l")).one()
        cart.add_item(session, token, product_id, 1)  # a changed cart wants a new order
    state = await new_state(CheckoutState)
    visit(state, "http://localhost:3000/cart")
    (await state.get_state(CartState)).token = token
    result = await _run_background(state, "pay", {"email": "ana@example.cl"})
    assert toasts(result) == [("error", TOO_MANY_ORDERS)]
    assert state.placing is False and state.session_token == ""
    limits.get_limiter.cache_clear()
    get_settings.cache_clear()


async def _run_background(state, name: str, *args):
    """Run a background handler's body on a plain state, with `async with self` as a no-op."""

    class Unlocked:
        def __getattr__(self, attr):
            return getattr(state, attr)

        def __setattr__(self, attr, value):
            setattr(state, attr, value)

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

    return await type(state).event_handlers[name].fn(Unlocked(), *args)


# -- events per connection ---------------------------------------------------------------------------------------

class FakeNamespace:
    def __init__(self):
        self.received, self.updates, self.disconnected = [], [], []
        self.sid_to_token = {"sid-1": "tab-1", "sid-2": "tab-2"}

    async def on_event(self, sid, data):
        self.received.append((sid, data))

    def on_disconnect(self, sid):
        self.disconnected.append(sid)

    async def emit_update(self, update, token):
        self.updates.append((token, update))


class FakeApp:
    def __init__(self):
        self.event_namespace = FakeNamespace()


async def test_a_flooding_connection_is_cut_to_its_rate_and_told_once():
    app, clock = FakeApp(), Clock()
    namespace = app.event_namespace
    install_event_limit(app, rate=5, clock=clock)
    for index in range(100):
        await namespace.on_event("sid-1", {"n": index})
    await namespace.on_event("sid-2", {"n": "other tab"})
    assert len([sid for sid, _ in namespace.received if sid == "sid-1"]) == 10
    assert ("sid-2", {"n": "other tab"}) in namespace.received  # another connection has its own allowance
    assert len(namespace.updates) == 1
    token, update = namespace.updates[0]
    assert token == "tab-1" and "__toast" in str(update.events)
    assert json.dumps(SLOW_DOWN)[1:-1] in update.events[0].payload["function"]
    clock.now += 1  # a second later the connection may send at its rate again
    for index in range(5):
        await namespace.on_event("sid-1", {"later": index})
    assert len(namespace.received) == 16
    namespace.on_disconnect("sid-1", "client disconnect")
    assert namespace.disconnected == ["sid-1"]


@pytest.mark.parametrize(("ip", "key"), [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("203.0.113.7", "203.0.113.7"), ("::ffff:203.0.113.7", "203.0.113.7"), ("not an ip", "not an ip"),
])
def test_an_ipv6_shopper_is_one_address_per_64(ip, key):
    from pepestore.limits import address_key

    assert address_key(ip) == key


def test_one_ipv6_64_cannot_multiply_its_allowance(monkeypatch):
    monkeypatch.setenv("LIMIT_ORDERS_PER_IP", "2")
    _clear_caches()
    limiter = MemoryLimiter(Clock())
    admit_new_order("b1", "2001:db8::1", limiter)
    admit_new_order("b2", "2001:db8::2", limiter)
    with pytest.raises(LimitExceeded):
        admit_new_order("b3", "2001:db8::3", limiter)
    _clear_caches()


def test_an_unreachable_redis_falls_back_to_counting_in_process(monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    class Down:
        def hit_all(self, *_):
            raise RedisDown("no Redis")

    from pepestore.limits import ResilientLimiter

    monkeypatch.setenv("LIMIT_ORDERS_PER_BROWSER", "1")
    _clear_caches()
    limiter = ResilientLimiter(Down())
    admit_new_order("browser-x", None, limiter)  # a shopper is not turned away because Redis is down
    with pytest.raises(LimitExceeded):
        admit_new_order("browser-x", None, limiter)  # and the limit still holds, in this process
    _clear_caches()


def test_login_counters_survive_a_redis_blip_too():
    from redis.exceptions import ConnectionError as RedisDown

    from pepestore.limits import ResilientLimiter

    class Down:
        def record(self, *_):
            raise RedisDown("no Redis")

        def count(self, *_):
            raise RedisDown("no Redis")

    limiter = ResilientLimiter(Down())
    assert limiter.count("login:lock:x", 900) == 0
    assert [limiter.record("login:fail:x", 900) for _ in range(3)] == [1, 2, 3]
