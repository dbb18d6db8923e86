"""The back office's server time with 10 000 orders in PostgreSQL: the order list, its searches, the dashboard and
one order's detail, each well under the 300 ms the back-office issue allows.

    python bench/backoffice.py [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                               [--orders 10000] [--runs 30] [--keep]

Makes a throw-away database on the PostgreSQL server behind --admin-url, migrates it as the store does
(`reflex db migrate`), seeds the catalog, copies in the orders (COPY: lines, events and Fintoc webhooks spread over
60 days, every status, some flagged for review), then times what a back-office event costs the server:

- the reads the admin states run in their worker thread (the service call plus the row formatting), and
- the whole `load` handler of a state, as Reflex runs it for one event: the signed-in check from the cookie, the
  reads, and the state delta serialised to the JSON sent down the websocket.

Each is warmed up, then run --runs times; prints p50/p95/max in ms beside the 300 ms target. Talks only to the
PostgreSQL server given (127.0.0.1 by default) and drops its database at the end, also after a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
DAYS = 60

FIRST = ["ana", "bruno", "camila", "diego", "elena", "felipe", "gabriela", "hector", "isidora", "javier", "karen",
         "luis", "macarena", "nicolas", "olga", "pablo", "rocio", "sebastian", "tamara", "vicente", "valentina",
         "matias", "catalina", "benjamin", "florencia", "tomas", "josefa", "agustin", "martina", "cristobal"]
LAST = ["gonzalez", "munoz", "rojas", "diaz", "perez", "soto", "contreras", "silva", "martinez", "sepulveda",
        "morales", "rodriguez", "lopez", "fuentes", "hernandez", "torres", "araya", "flores", "espinoza",
        "valenzuela", "castillo", "tapia", "reyes", "gutierrez", "castro", "pizarro", "alvarez", "vasquez"]
DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "hotmail.com", "outlook.com", "yahoo.es", "uc.cl", "vtr.net",
           "empresa.cl", "live.cl"]
CARRIERS = ["Chilexpress", "Starken", "Blue Express", "other"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


# -- the throw-away database --------------------------------------------------------------------------------------

def create_database(admin_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pepestore_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def migrate(url: str) -> None:
    """The schema exactly as a store gets it: the committed migrations, applied by `reflex db migrate`."""
    env = {**os.environ, "DATABASE_URL": url, "FINTOC_SANDBOX": "1", "REFLEX_USE_NPM": "1"}
    reflex = Path(sys.executable).parent / "reflex"
    done = subprocess.run([str(reflex), "db", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"reflex db migrate failed:\n{done.stdout}\n{done.stderr}")


# -- 10 000 orders, as 60 days of a small shop leave them ----------------------------------------------------------

def _status_for(age: timedelta, rng: random.Random) -> str:
    roll = rng.random()
    if age < timedelta(minutes=30):  # still payable
        return "pending_payment" if roll < 0.6 else "paid" if roll < 0.95 else "cancelled"
    if age < timedelta(days=3):  # recent: much of it not shipped yet
        table = [(0.40, "paid"), (0.75, "fulfilled"), (0.90, "expired"), (0.97, "cancelled"), (0.99, "refunded")]
    else:
        table = [(0.01, "paid"), (0.69, "fulfilled"), (0.87, "expired"), (0.95, "cancelled"), (0.99, "refunded")]
    return next((status for limit, status in table if roll < limit), "paid_needs_refund")


def build_rows(count: int, products: list[tuple[int, str, str, int]], staff_id: int, now: datetime, seed: int):
    """(orders, lines, events, webhooks, refunds) as tuples in the column order of `copy_in` below."""
    rng = random.Random(seed)
    customers = []
    for n in range(max(50, count // 4)):  # most customers order once, some come back many times
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = rng.choice([f"{first}.{last}", f"{first}{last}{n % 97}", f"{first[0]}{last}", f"{first}_{n}"])
        email = f"{local}@{rng.choice(DOMAINS)}"
        customers.append(email.capitalize() if rng.random() < 0.1 else email)  # shoppers type as they like
    moments = sorted(now - timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(count))
    orders, lines, events, webhooks, refunds = [], [], [], [], []

    def event(order_id, kind, source, detail, at, staff=None):
        events.append((order_id, kind, source, detail, staff, at))

    for order_id, placed in enumerate(moments, start=1):
        status = _status_for(now - placed, rng)
        chosen = rng.sample(products, k=rng.choice([1, 1, 1, 2, 2, 3, 4]))
        total = 0
        for product_id, name, image, price in chosen:
            quantity = rng.choice([1, 1, 1, 1, 2, 2, 3])
            total += price * quantity
            lines.append((order_id, product_id, name, image, price, quantity))
        with_session = status != "cancelled" or rng.random() < 0.7
        session_id = f"cs_{secrets.token_hex(12)}" if with_session else None
        paid = status in ("paid", "fulfilled", "refunded", "paid_needs_refund")
        intent = f"pi_{secrets.token_hex(12)}" if paid else None
        paid_at = placed + timedelta(seconds=rng.uniform(40, 900)) if paid else None
        review = status == "paid_needs_refund" or rng.random() < 0.01
        refunded = total if status == "refunded" else 0
        if status == "fulfilled" and rng.random() < 0.02:  # a returned item
            refunded = min(total - 1, chosen[0][3])
        shipped = status in ("fulfilled", "refunded") and rng.random() < 0.9
        updated = paid_at or placed
        email = rng.choice(customers)

        event(order_id, "placed", "shopper", f"{len(chosen)} items, total ${total:,}".replace(",", "."), placed)
        if session_id:
            event(order_id, "session_created", "shopper", session_id, placed + timedelta(seconds=1))
        if paid:
            source = "webhook" if rng.random() < 0.95 else "reconciler"
            event(order_id, "paid", source, f"payment {intent}", paid_at)
            body = json.dumps({"id": f"evt_{secrets.token_hex(12)}", "type": "payment_intent.succeeded",
                               "mode": "test", "data": {"id": intent, "amount": total, "currency": "CLP",
                                                        "status": "succeeded", "object": "payment_intent",
                                                        "metadata": {"order_id": str(order_id)}}})
            webhooks.append((f"evt_{secrets.token_hex(12)}", "payment_intent.succeeded", "test", body, order_id,
                             "paid", paid_at))
        if status == "paid_needs_refund":
            event(order_id, "flagged", "webhook", f"late payment {intent}: refund needed", paid_at)
        elif review:
            event(order_id, "flagged", "webhook", f"payment {intent or 'pi_unknown'} does not match the order", updated)
        if status == "expired":
            updated = placed + timedelta(minutes=30)
            event(order_id, "expired", "reconciler", None, updated)
        if status == "cancelled":
            updated = placed + timedelta(minutes=rng.uniform(1, 29))
            event(order_id, "cancelled", "shopper", "cancelled at Fintoc", updated)
        if shipped:
            updated = paid_at + timedelta(hours=rng.uniform(2, 48))
            event(order_id, "fulfilled", "admin", f"{rng.choice(CARRIERS)} {rng.randint(10**8, 10**9)}", updated,
                  staff_id)
        if rng.random() < 0.05:
            event(order_id, "note", "admin", "Customer asked to change the delivery address.", updated, staff_id)
        if refunded:
            updated += timedelta(days=rng.uniform(1, 5))
            refund_id = f"ref_{secrets.token_hex(12)}"
            refunds.append((order_id, refund_id, refunded, updated))
            webhooks.append((f"evt_{secrets.token_hex(12)}", "refund.succeeded", "test",
                             json.dumps({"type": "refund.succeeded", "data": {"id": refund_id, "amount": refunded}}),
                             order_id, "refunded", updated))
            event(order_id, "refunded", "webhook", f"refund {refund_id}: ${refunded}", updated)
        updated = min(updated, now)
        carrier = rng.choice(CARRIERS) if shipped else None
        orders.append((
            order_id, secrets.token_urlsafe(24), status, None, total, "CLP", email, None, 0, None,
            f"200.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}", session_id,
            f"{session_id}_sec_{secrets.token_hex(8)}" if session_id else None,
            f"https://app.fintoc.com/checkout/{session_id}" if session_id else None, intent, review, refunded,
            placed, updated, placed + timedelta(minutes=30), paid_at, carrier,
            str(rng.randint(10**8, 10**9)) if carrier else None,
        ))
    return orders, lines, events, webhooks, refunds


ORDER_COLUMNS = ("id, public_token, status, status_reason, total, currency, customer_email, cart_id, cart_revision, "
                 "client_token, client_ip, fintoc_session_id, fintoc_session_token, fintoc_redirect_url, "
                 "payment_intent_id, needs_review, refunded_total, created_at, updated_at, expires_at, paid_at, "
                 "carrier, tracking_number")


def copy_in(url: str, rows) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    orders, lines, events, webhooks, refunds = rows
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    tables = [
        (f"shop_order ({ORDER_COLUMNS})", orders),
        ("order_line (order_id, product_id, name, image, unit_price, quantity)", lines),
        ("order_event (order_id, kind, source, detail, staff_id, created_at)", events),
        ("payment_event (fintoc_event_id, type, mode, raw_body, order_id, outcome, received_at)", webhooks),
        ("order_refund (order_id, fintoc_refund_id, amount, recorded_at)", refunds),
    ]
    with psycopg.connect(plain) as conn, conn.cursor() as cursor:
        for target, data in tables:
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('shop_order', 'id'), (SELECT max(id) FROM shop_order))")
    # What autovacuum would have done long before a shop reached 10 000 orders: fresh planner statistics.
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# -- timing ------------------------------------------------------------------------------------------------------

def timed(run, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        run()
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


async def timed_async(run, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        await run()
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        await run()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def report(results: list[tuple[str, list[float], str]]) -> bool:
    width = max(len(name) for name, _, _ in results)
    print(f"\n{'operation':<{width}}  {'matches':>7}  {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  {'target':>8}")
    print("-" * (width + 52))
    all_met = True
    for name, spent, matches in results:
        p95 = percentile(spent, 0.95)
        met = p95 <= TARGET_MS
        all_met &= met
        print(f"{name:<{width}}  {matches:>7}  {statistics.median(spent):7.1f} {p95:7.1f} {max(spent):7.1f}  "
              f"{'≤ 300':>8}  {'ok' if met else 'SLOW'}")
    return all_met


def measure(runs: int, token: str, samples: dict) -> list[tuple[str, list[float], str]]:
    """Time every read. Imports the app's modules only now: DATABASE_URL points at the bench database."""
    from pepestore.admin import order_page, orders_page
    from pepestore.clock import utcnow
    from pepestore.db import run_in_session
    from pepestore.store import backoffice
    from pepestore.store.backoffice import OrderFilter

    day = samples["day"]
    reads = [
        ("list: first page", OrderFilter()),
        ("list: page 100 (offset 4950)", OrderFilter(page=100)),
        ("search: order number", OrderFilter(query=f"#{samples['order_id']}")),
        ("search: token", OrderFilter(query=samples["token"])),
        ("search: part of an email", OrderFilter(query=samples["email_part"])),
        ("search: a whole email", OrderFilter(query=samples["email"])),
        ("search: no match", OrderFilter(query="nadie@ninguna-parte.cl")),
        ("filter: status paid", OrderFilter(status="paid")),
        ("filter: needs review", OrderFilter(review=True)),
        ("filter: one week", OrderFilter(date_from=day - timedelta(days=6), date_to=day)),
        ("filter: fulfilled + week + email", OrderFilter(status="fulfilled", date_from=day - timedelta(days=6),
                                                         date_to=day, query=samples["email_part"])),
    ]
    results = []
    for name, wanted in reads:
        # The services as the states call them (pepestore.db.in_db_thread), minus the thread hop.
        matches = str(run_in_session(orders_page._read, wanted)[1])
        results.append((f"{name} (service + rows)",
                        timed(lambda wanted=wanted: run_in_session(orders_page._read, wanted), runs), matches))
    results.append(("dashboard (service)", timed(lambda: run_in_session(backoffice.dashboard, utcnow()), runs), ""))
    timeline = run_in_session(order_page._read, samples["busiest_order"])[2]
    results.append(("order detail + timeline (service)",
                    timed(lambda: run_in_session(order_page._read, samples["busiest_order"]), runs),
                    f"{len(timeline)} ev"))
    results += asyncio.run(measure_handlers(runs, token, samples))
    return results


async def measure_handlers(runs: int, token: str, samples: dict) -> list[tuple[str, list[float], str]]:
    """One event as Reflex handles it, minus the socket: the handler, then the delta serialised as JSON."""
    import reflex as rx
    from reflex.istate.data import RouterData
    from reflex.state import StateUpdate
    from reflex.utils.format import json_dumps

    from pepestore.admin.dashboard import DashboardState
    from pepestore.admin.order_page import OrderDetailState
    from pepestore.admin.orders_page import OrderListState
    from pepestore.admin.routes import COOKIE

    async def state_at(cls, path: str, query: str = ""):
        root = rx.State(_reflex_internal_init=True)
        state = await root.get_state(cls)
        root.router = RouterData.from_router_data({
            "headers": {"origin": "http://localhost:3000", "cookie": f"{COOKIE}={token}"},
            "pathname": path, "asPath": path + (f"?{query}" if query else ""),
            "query": dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair),
        })
        return root, state

    async def one_event(root, handler) -> None:
        refused = await handler()
        if refused is not None and not callable(getattr(refused, "fn", None)):
            raise SystemExit(f"the handler refused the bench's session: {refused}")
        json_dumps(StateUpdate(delta=await root._get_resolved_delta()))
        root._clean()

    cases = [
        ("OrderListState.load: first page", OrderListState, "/admin/orders", ""),
        ("OrderListState.load: email search", OrderListState, "/admin/orders", f"q={samples['email_part']}"),
        ("OrderListState.load: status + week", OrderListState, "/admin/orders",
         f"status=fulfilled&from={samples['day'] - timedelta(days=6)}&to={samples['day']}"),
        ("DashboardState.load", DashboardState, "/admin", ""),
        ("OrderDetailState.load", OrderDetailState, f"/admin/orders/{samples['busiest_order']}", ""),
    ]
    results = []
    for name, cls, path, query in cases:
        root, state = await state_at(cls, path, query)
        spent = await timed_async(lambda: one_event(root, state.load), runs)
        if cls is OrderListState and not state.rows:
            raise SystemExit(f"{name}: the list came back empty, so the bench measured nothing")
        results.append((f"{name} (handler + delta)", spent, str(state.total) if cls is OrderListState else ""))
    return results


def explain(url: str, samples: dict) -> None:
    """PostgreSQL's plans for the list's two queries (count, page) on the first page and on an email search."""
    from sqlalchemy import create_engine, func, text
    from sqlalchemy.dialects import postgresql
    from sqlmodel import col, select

    from pepestore.models import Order
    from pepestore.store.backoffice import OrderFilter, _filtered

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for wanted in (OrderFilter(), OrderFilter(query=samples["email_part"])):
                for statement in (_filtered(select(func.count()).select_from(Order), wanted),
                                  _filtered(select(Order), wanted).order_by(col(Order.id).desc()).limit(50)):
                    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
                    sql = sql.replace("%%", "%")  # the dialect doubles % for psycopg; text() doubles it again
                    print(f"\n-- {wanted}\n" + "\n".join(
                        row[0] for row in conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))))
    finally:
        engine.dispose()


def samples_from(url: str, now: datetime) -> dict:
    """Real values to search for: a mid-history order, a common email fragment, the order with most events."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            order_id, token, email = conn.execute(text(
                "SELECT id, public_token, customer_email FROM shop_order ORDER BY id LIMIT 1 OFFSET "
                "(SELECT count(*) / 2 FROM shop_order)")).one()
            busiest = conn.execute(text("SELECT order_id FROM order_event GROUP BY order_id "
                                        "ORDER BY count(*) DESC, order_id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    from pepestore.clock import santiago_today

    return {"order_id": order_id, "token": token, "email": email, "email_part": "perez",
            "busiest_order": busiest, "day": santiago_today(now) - timedelta(days=14)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get(
        "PEPESTORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL database on the server to use, to create and drop the bench database from")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="also print the order list's query plans")
    parser.add_argument("--keep", action="store_true", help="leave the database behind (its URL is printed)")
    args = parser.parse_args()

    name, url = create_database(args.admin_url)
    print(f"database {name}")
    try:
        # Before any of the app's modules read settings: they, and the Reflex states, use this database.
        os.environ.update({"DATABASE_URL": url, "FINTOC_SANDBOX": "1"})
        started = time.perf_counter()
        migrate(url)
        print(f"migrated with reflex db migrate in {time.perf_counter() - started:.1f} s")

        from sqlmodel import select

        from pepestore.db import get_engine, session_scope
        from pepestore.models import Product, utcnow
        from pepestore.staff_models import StaffSession
        from pepestore.store import staff
        from pepestore.store.seed import seed_catalog

        now = utcnow()
        token = secrets.token_urlsafe(32)
        with session_scope() as session:
            seed_catalog(session)
            session.flush()
            member = staff.create_staff(session, "bench-owner@pepestore.cl", secrets.token_urlsafe(16), "owner", now)
            # A signed-in browser without going through the login route (its hashing and limits are not timed here).
            session.add(StaffSession(token_hash=staff.token_hash(token), staff_id=member.id, created_at=now,
                                     last_seen_at=now))
            products = [(p.id, p.name, p.image, p.price) for p in session.exec(select(Product).order_by(Product.id))]

        started = time.perf_counter()
        rows = build_rows(args.orders, products, member.id, now, seed=9)
        copy_in(url, rows)
        print(f"{len(rows[0])} orders, {len(rows[1])} lines, {len(rows[2])} order events, {len(rows[3])} webhooks, "
              f"{len(rows[4])} refunds over {DAYS} days, copied in and analysed in "
              f"{time.perf_counter() - started:.1f} s")

        samples = samples_from(url, now)
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (the machine may be shared)")
        print(f"runs per operation: {args.runs} after 3 warm-up runs; searching for order #{samples['order_id']}, "
              f"{samples['email']!r}, {samples['email_part']!r}")
        if args.explain:
            explain(url, samples)
        all_met = report(measure(args.runs, token, samples))
        print("\nEvery operation is within 300 ms at p95." if all_met else "\nSome operations miss 300 ms at p95.")
        get_engine().dispose()
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop_database(args.admin_url, name)
            print(f"dropped {name}")


if __name__ == "__main__":
    main()
