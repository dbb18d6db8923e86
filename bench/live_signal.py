"""What open catalog pages cost the database to follow changes: the catalog signal (pepestore/store/live.py) with a
large catalog and ledger in PostgreSQL, and the per-change read of a page's products.

    python bench/live_signal.py [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                [--products 5000] [--movements 500000] [--runs 200]

Makes a throw-away database on the server behind --admin-url (tables from the models), fills it with COPY, then
times catalog_signal and fresh(24 ids) --runs times each; prints p50/p95/max in ms. Each worker reads the signal at
most once per 4 s whatever its number of open tabs, so these figures are the whole database cost of live pages
while nothing changes. Drops its database at the end.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pepestore.models  # noqa: E402,F401 - registers the tables
from pepestore.store import live  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float, float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--movements", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    name = f"pepestore_bench_live_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        SQLModel.metadata.create_all(engine)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            products = io.StringIO("".join(
                f"{i}\tp-{i}\tProduct {i}\tx\tHome\t{1000 + i}\t10\t/x.webp\tt\t1\t2026-11-27 10:00:00+00\n"
                for i in range(1, args.products + 1)))
            with cursor.copy("COPY product (id, slug, name, description, category, price, stock, image, active, "
                             "version, updated_at) FROM STDIN") as copy:
                copy.write(products.getvalue())
            with cursor.copy("COPY stock_movement (product_id, delta, reason, created_at) FROM STDIN") as copy:
                for i in range(args.movements):
                    copy.write(f"{1 + i % args.products}\t{1 if i % 2 else -1}\treserved\t2026-11-27 10:00:00+00\n")
            raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        ids = list(range(1, 25))
        with Session(engine) as session:
            signal = timed(lambda: live.catalog_signal(session), args.runs)
            fresh = timed(lambda: live.fresh(session, ids), args.runs)
        print(f"{args.products} products, {args.movements} ledger rows, {args.runs} runs (ms: p50 / p95 / max)")
        print(f"  catalog_signal      {signal[0]:.2f} / {signal[1]:.2f} / {signal[2]:.2f}")
        print(f"  fresh(24 products)  {fresh[0]:.2f} / {fresh[1]:.2f} / {fresh[2]:.2f}")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
