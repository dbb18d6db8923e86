"""Does the catalog's cost stay flat as it grows? First paint, per-tab state and search at 28, 10 000 and 100 000.

    flock /tmp/pepestore-heavy.lock python bench/catalog_scale.py                 # SQLite, 28 / 10 000 / 100 000
    flock /tmp/pepestore-heavy.lock python bench/catalog_scale.py --postgres      # the same on PostgreSQL
    python bench/catalog_scale.py --sizes 28 10000 --no-browser                   # state and search only

For each size it makes a scratch database (migrated, seeded, then the seeded products copied with unique slugs
until the catalog holds that many), then prints:
- first paint: Pepestore started on it (production build, single port), navigation until the first product's
  name is visible (median of 7 after a warm-up, cold cache); and "live", until this visit's own products have
  replaced the prerendered ones (the load event's round trip), with the React yardstick's first paint beside;
- per-tab state: the catalog state of one tab after its load, pickled (what the state manager keeps per tab, in
  memory or in Redis) and as JSON (what the websocket carries);
- the load's database work (count + one page) and search times (median of 21), for two words and a two-letter
  term (too short for a trigram index: a scan).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FINTOC_SANDBOX", "1")

from sqlalchemy import create_engine, text  # noqa: E402

# How often each term occurs in the 28 seeded products; copies keep that share at every size.
SEARCHES = {"in 2 of 28": "mug", "in 1 of 28": "teapot", "two letters": "té"}
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def migrate_and_seed(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "REFLEX_USE_NPM": "1"}
    for command in ([str(Path(sys.executable).parent / "reflex"), "db", "migrate"],
                    [sys.executable, "-m", "pepestore.store.seed"]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)


def grow(database_url: str, size: int) -> None:
    """Copy the seeded products (same names, prices, stock, images; slugs made unique) until there are `size`."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        seeded = conn.execute(text("SELECT slug, name, description, category, price, stock, image FROM product "
                                   "ORDER BY id")).mappings().all()
        have = len(seeded)
        rows = []
        for n in range(size - have):
            original = seeded[n % len(seeded)]
            rows.append({**original, "slug": f"{original['slug'][:60]}-{n // len(seeded) + 1}"})
        for start in range(0, len(rows), 5000):
            conn.execute(text("INSERT INTO product (slug, name, description, category, price, stock, image, active, "
                              "version, updated_at) VALUES (:slug, :name, :description, :category, :price, :stock, "
                              ":image, true, 1, CURRENT_TIMESTAMP)"),
                         rows[start:start + 5000])
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE product"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()


@contextlib.contextmanager
def scratch_database(postgres: bool):
    if not postgres:
        with tempfile.TemporaryDirectory(prefix="catalog-scale-") as scratch:
            yield f"sqlite:///{scratch}/store.db"
        return
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"pepestore_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def median_ms(work, runs: int = 21) -> float:
    work()  # warm
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def service_figures(database_url: str) -> dict[str, str]:
    """In this process, against the database: one tab's state after its load, and the queries' times."""
    os.environ["DATABASE_URL"] = database_url
    from pepestore import db
    from pepestore.settings import get_settings
    from pepestore.state.catalog import CatalogState
    from pepestore.store import catalog
    from pepestore.store.catalog import CatalogQuery
    from tests.unit.reflex_helpers import new_state, visit

    get_settings.cache_clear()
    db.get_engine.cache_clear()

    async def one_tab():
        state = await new_state(CatalogState)
        visit(state, "/")
        await state.load()
        assert not state.load_failed
        return state

    state = asyncio.run(one_tab())
    own = state.dict()[state.get_full_name()]
    figures = {"tab state (pickled)": f"{len(pickle.dumps(state.__getstate__())):,} B",
               "tab state (JSON)": f"{len(json.dumps(own, default=str)):,} B"}
    with db.session_scope() as session:
        figures["load: count + page 1"] = f"{median_ms(lambda: catalog.list_page(session, CatalogQuery())):.1f} ms"
        figures["load: categories"] = f"{median_ms(lambda: catalog.list_categories(session)):.1f} ms"
        deep = CatalogQuery(page=200)  # the last page when there are fewer
        figures["load: page 200"] = f"{median_ms(lambda: catalog.list_page(session, deep)):.1f} ms"
        for label, term in SEARCHES.items():
            found = catalog.list_page(session, CatalogQuery(search=term)).total
            took = median_ms(lambda term=term: catalog.list_page(session, CatalogQuery(search=term)))
            figures[f"search {term!r} ({label})"] = f"{took:.1f} ms ({found:,} found)"
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    get_settings.cache_clear()
    return figures


def paint_figures(database_url: str, runs: int) -> dict[str, str]:
    from playwright.sync_api import sync_playwright

    from bench.catalog_paint import ARGS, Target, first_product, measure, stores

    with stores(database_url) as (pepestore_url, react_url), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        _slug, name = first_product(database_url)
        paint = measure(browser, {"pepestore": pepestore_url, "react": react_url},
                        Target("catalog", "/", ("text", name)), runs)
        # The grid is painted before it is live: only the polled clock sees it turn live.
        live = measure(browser, {"pepestore": pepestore_url},
                       Target("catalog live", "/", ("css", '#product-grid[data-live="true"]'), painted=False), runs)
        browser.close()
    (ours, ours_polled), (react, react_polled) = paint["pepestore"], paint["react"]
    return {"first product painted": f"{ours * 1000:.0f} ms (React {react * 1000:.0f} ms, ratio {ours / react:.2f}x)",
            "first product visible (polled)": f"{ours_polled * 1000:.0f} ms (React {react_polled * 1000:.0f} ms, "
                                              f"ratio {ours_polled / react_polled:.2f}x)",
            "live products shown": f"{live['pepestore'][1] * 1000:.0f} ms"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[28, 10_000, 100_000])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL scratch databases instead of SQLite")
    parser.add_argument("--no-browser", action="store_true", help="skip first paint (no store started)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes:
        with scratch_database(args.postgres) as database_url:
            started = time.monotonic()
            migrate_and_seed(database_url)
            grow(database_url, size)
            print(f"\n{size:,} products ({'PostgreSQL' if args.postgres else 'SQLite'}, "
                  f"made in {time.monotonic() - started:.0f} s)", flush=True)
            figures = service_figures(database_url)
            if not args.no_browser:
                figures.update(paint_figures(database_url, args.runs))
            for label, value in figures.items():
                print(f"  {label:<32} {value}", flush=True)


if __name__ == "__main__":
    main()
