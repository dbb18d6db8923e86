"""Add-to-cart round trips with many shoppers connected to one worker, and what each shopper costs the server.

    python bench/cart_events.py --url http://localhost:3000 --shoppers 200 --adds 3 --think 5 [--server-pid PID]

Connects all shoppers first (each loads the catalog, as a tab would), then every shopper adds to its cart
`--adds` times, pausing a random 0 to 2×`--think` seconds before each add (people look before they click:
200 shoppers thinking 5 s on average offer about 40 adds a second). Prints the add-to-cart p50/p95/p99 and, given the
server's pid (the `reflex run` process; its worker is a child), the server's CPU per add (all threads, and the part
on the worker's event loop, its main thread) and its resident memory before and after the shoppers connected. The
first run after a start also counts the worker's one-time growth (imports, caches, allocator arenas) as memory per
shopper; later runs show a shopper's own cost. With the catalog's first page baked into the frontend a first visit's
load sends no products, so they are read from `--database-url` (default `$DATABASE_URL`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shoppers import CART, CATALOG, Shopper, http_session, percentile  # noqa: E402


def family(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(c) for c in children.read_text().split()] if children.exists() else [])


def _ticks(stat: Path) -> int:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU of a process and its children (the worker), in seconds: all threads, and main threads only
    (a worker's main thread runs its event loop; the others are database and file-writing threads)."""
    every = main = 0
    for each in family(pid):
        every += _ticks(Path(f"/proc/{each}/stat"))
        main += _ticks(Path(f"/proc/{each}/task/{each}/stat"))
    return every / os.sysconf("SC_CLK_TCK"), main / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of a process and all its children, in KB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def in_stock(database_url: str | None) -> list[dict]:
    """The published products, read from the database. The catalog's load sends its products only when they differ
    from the page baked into the frontend (the default view's first page), so a first visit gets none over the
    websocket: a tab already has them from the HTML."""
    if not database_url:
        sys.exit("the catalog's load sent no products: give --database-url (or set DATABASE_URL) to pick them from")
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, stock FROM product WHERE active ORDER BY id")).all()
    engine.dispose()
    return [{"id": row.id, "stock": row.stock} for row in rows]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--adds", type=int, default=3)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a shopper's adds")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the store's database, to pick products from when the catalog's load sends none "
                             "(default: $DATABASE_URL)")
    args = parser.parse_args()
    async with http_session() as http:
        await measure(args, http)


async def measure(args: argparse.Namespace, http) -> None:
    """Connect the shoppers, time their adds, print what they cost the server."""
    before = rss_kb(args.server_pid) if args.server_pid else None
    shoppers = [Shopper(args.url, http) for _ in range(args.shoppers)]
    connect_gate = asyncio.Semaphore(20)

    async def arrive(shopper: Shopper) -> None:
        async with connect_gate:
            await shopper.connect()
            await shopper.send(f"{CATALOG}.load", {}, until=CATALOG)

    await asyncio.gather(*(arrive(s) for s in shoppers))
    connected = rss_kb(args.server_pid) if args.server_pid else None
    products = [p for p in shoppers[0].state[CATALOG].get("products_rx_state_") or in_stock(args.database_url)
                if p["stock"] > 5]
    latencies: list[float] = []
    errors: list[str] = []

    async def shop(shopper: Shopper, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(args.adds):
            await asyncio.sleep(rng.random() * 2 * args.think)
            started = time.perf_counter()
            try:
                await shopper.send(f"{CART}.add_to_cart", {"product_id": rng.choice(products)["id"], "quantity": 1},
                                   until=CART)
                latencies.append(time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(exc.__class__.__name__)

    cpu_before = cpu_seconds(args.server_pid) if args.server_pid else None
    started = time.perf_counter()
    await asyncio.gather(*(shop(s, i) for i, s in enumerate(shoppers)))
    elapsed = time.perf_counter() - started
    cpu_used = [after - before for after, before in zip(cpu_seconds(args.server_pid), cpu_before)] \
        if args.server_pid else None
    await asyncio.gather(*(s.close() for s in shoppers))

    print(f"\n{args.url}: {args.shoppers} connected shoppers, {len(latencies)} adds in {elapsed:.1f} s "
          f"({len(latencies) / elapsed:.0f}/s), {len(errors)} errors")
    if latencies:
        print(f"add to cart: p50 {percentile(latencies, 50) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f}"
              f" ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms")
    if cpu_used is not None and latencies:
        print(f"server CPU: {cpu_used[0] * 1000 / len(latencies):.1f} ms per add (all of the server's processes), "
              f"of which {cpu_used[1] * 1000 / len(latencies):.1f} ms on the event loop")
    if before is not None:
        print(f"server memory: {before / 1024:.0f} MB before, {connected / 1024:.0f} MB with the shoppers connected: "
              f"{(connected - before) / args.shoppers:.0f} KB per connected shopper")


if __name__ == "__main__":
    asyncio.run(main())
