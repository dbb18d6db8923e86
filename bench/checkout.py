"""The server's own time to place an order, with Fintoc answering at once, at N concurrent shoppers.

    python bench/checkout.py --shoppers 20 --rounds 15 [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Makes a throw-away PostgreSQL database (tables, seeded catalog with ample stock), gives each shopper a cart of
three products, then runs the store's checkout (`pepestore.payments.checkout.start_checkout`: place the order,
reserve stock, open the Fintoc session, attach it): every shopper checks out `--rounds` carts, each after a random
pause (0 to 2x `--think` seconds; `--think 0` is all shoppers at the same instant, every round). Fintoc is a fake
that answers instantly, so the figures are the store's work alone (the database, the limits, the worker threads),
not Fintoc's round trip. Prints p50/p95/p99 of one checkout and of its two database steps, the SQL statements sent
per checkout, and drops the database. `--sqlite` runs the same against a SQLite file instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FINTOC_SANDBOX", "1")

from sqlalchemy import event, text  # noqa: E402
from bench.backoffice import create_database, drop_database  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<28} n={len(ms):<4} p50 {percentile(ms, 50):6.1f} ms   p95 {percentile(ms, 95):6.1f} ms   "
            f"p99 {percentile(ms, 99):6.1f} ms")


class InstantFintoc:
    """Answers create_checkout_session at once, with the amount asked for (what Fintoc does, minus the network)."""

    async def create_checkout_session(self, *, amount, currency, metadata, **_ignored):
        from pepestore.payments.types import CheckoutSession

        session_id = f"cs_bench_{uuid.uuid4().hex[:16]}"
        return CheckoutSession(id=session_id, status="created", amount=amount, currency=currency, mode="test",
                               session_token=f"{session_id}_sec_{uuid.uuid4().hex}",
                               redirect_url=f"https://pay.example/{session_id}", metadata=metadata)


def timed(store: dict, name: str, fn):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            store.setdefault(name, []).append(time.perf_counter() - started)
    return wrapper


async def run(args, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    from sqlmodel import Session, SQLModel, select

    from pepestore import db
    from pepestore.models import Product
    from pepestore.payments import checkout
    from pepestore.store import cart
    from pepestore.store.seed import seed_catalog

    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed_catalog(session)
        session.exec(text("UPDATE product SET stock = 1000000"))
        session.commit()
        products = [p.id for p in session.exec(select(Product).order_by(Product.id)).all()]

    steps: dict[str, list[float]] = {}
    checkout._place = timed(steps, "place order (db thread)", checkout._place)
    checkout._attach = timed(steps, "attach session (db thread)", checkout._attach)
    checkout.fintoc_client = lambda: InstantFintoc()

    def fill_cart(n: int) -> str:
        token = ""
        for offset in range(3):
            token = db.run_in_session(cart.add_item, token, products[(n + offset * 7) % len(products)], 1).cart.token
        return token

    totals: list[float] = []
    errors: list[str] = []

    async def checkout_once(token: str, n: int) -> None:
        started = time.perf_counter()
        try:
            await checkout.start_checkout(token, f"shopper{n}@example.cl", f"tab-{n}", f"10.{n // 250}.{n % 250}.1")
            totals.append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors.append(f"{exc.__class__.__name__}: {exc}")

    # Every cart is filled before the clock starts: what is timed is checking out, nothing else.
    warm = [fill_cart(i) for i in range(args.shoppers)]
    carts = [[fill_cart(args.shoppers * (1 + r) + i) for r in range(args.rounds)] for i in range(args.shoppers)]
    await asyncio.gather(*(checkout_once(t, i) for i, t in enumerate(warm)))  # pools, caches: not counted
    totals.clear(), steps.clear(), errors.clear()
    # Statements sent per checkout (each one a round trip and a wait for the GIL afterwards under load).
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *_args: statements.__setitem__(0, statements[0] + 1))

    async def shopper(i: int) -> None:
        rng = random.Random(i)
        for r, token in enumerate(carts[i]):
            # Shoppers pay when they are ready, not in lockstep: a random pause of 0 to 2x --think first.
            await asyncio.sleep(rng.random() * 2 * args.think)
            await checkout_once(token, args.shoppers * (1 + r) + i)

    started = time.perf_counter()
    await asyncio.gather(*(shopper(i) for i in range(args.shoppers)))
    elapsed = time.perf_counter() - started
    engine.dispose()

    print(f"\n{args.shoppers} concurrent shoppers, {len(totals)} checkouts in {elapsed:.1f} s "
          f"({len(totals) / elapsed:.1f}/s, think {args.think} s), "
          f"{'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}, Fintoc answering instantly")
    print(summary("checkout (start_checkout)", totals))
    for name, values in steps.items():
        print(summary(name, values))
    print(f"SQL statements per checkout: {statements[0] / max(1, len(totals) + len(errors)):.1f} "
          "(not counting BEGIN, COMMIT and the pool's pings)")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15, help="checkouts per shopper")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a shopper waits before each checkout (0: all 20 at the same instant)")
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    args = parser.parse_args()
    # Enough order slots for every round: the per-browser and per-address limits are not what is measured here.
    os.environ.setdefault("LIMIT_ORDERS_PER_IP", "1000")
    os.environ.setdefault("LIMIT_PENDING_ORDERS_PER_IP", "1000")
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(args, f"sqlite:///{folder}/bench.db"))
        return
    name, url = create_database(args.admin_url)
    try:
        asyncio.run(run(args, url))
    finally:
        drop_database(args.admin_url, name)


if __name__ == "__main__":
    main()
