"""Webhook events per second: the store's route against a bare Starlette handler, same run, same PostgreSQL.

    python bench/webhook.py --events 2000 --concurrency 20 [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Makes a throw-away PostgreSQL database (tables, seeded catalog), starts the store's backend on it
(`reflex run --env prod --backend-only`, one worker, sandbox payments) and bench/webhook_bare.py (Granian, one
worker: verify the signature over the raw body, parse, insert the `payment_event` row), then POSTs signed
`payment_intent.succeeded` events (each with its own id, for an order that does not exist, so the store stores them
with no effect) at `--concurrency` at a time: the store, then the bare app, then both again, and prints the
events/s of each, the ratio (store / bare), and the latency of one event. Stops both servers and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice import create_database, drop_database  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                await client.post(url, content=b"{}", timeout=2)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


async def fire(url: str, secret: str, events: int, concurrency: int) -> tuple[float, list[float], dict[int, int]]:
    from pepestore.payments import signature

    bodies = []
    for _ in range(events):
        event_id = f"evt_bench_{uuid.uuid4().hex}"
        bodies.append(json.dumps({
            "id": event_id, "type": "payment_intent.succeeded", "mode": "test", "created_at": "2026-11-27T10:00:00Z",
            "data": {"id": f"pi_{event_id}", "object": "payment_intent", "amount": 12990, "currency": "CLP",
                     "status": "succeeded", "metadata": {"order_id": "999999999"}},
        }, separators=(",", ":")).encode())
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            for body in queue:
                started = time.perf_counter()
                answer = await client.post(url, content=body, headers={
                    "Fintoc-Signature": signature.sign(body, secret), "Content-Type": "application/json"})
                latencies.append(time.perf_counter() - started)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return events / elapsed, latencies, statuses


async def bench(args, database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "FINTOC_SANDBOX": "1", "GRANIAN_WORKERS": "1"}
    env.pop("REDIS_URL", None)
    os.environ.update({"DATABASE_URL": database_url, "FINTOC_SANDBOX": "1"})
    from sqlmodel import Session, SQLModel

    from pepestore import db
    from pepestore.payments.config import get_fintoc_config
    from pepestore.store.seed import seed_catalog

    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed_catalog(session)
        session.commit()
    store_port, bare_port = free_port(), free_port()
    env["PUBLIC_URL"] = os.environ["PUBLIC_URL"] = f"http://localhost:{store_port}"
    secret = get_fintoc_config().webhook_secret  # made (and stored) now, so both servers read the same keys
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    servers = [
        subprocess.Popen(["reflex", "run", "--env", "prod", "--backend-only", "--backend-port", str(store_port)],
                         cwd=ROOT, env=env, stdout=open(logs / "store.log", "w"), stderr=subprocess.STDOUT,
                         start_new_session=True),
        subprocess.Popen([sys.executable, str(ROOT / "bench" / "webhook_bare.py"), "--port", str(bare_port)],
                         cwd=ROOT, env=env, stdout=open(logs / "bare.log", "w"), stderr=subprocess.STDOUT,
                         start_new_session=True),
    ]
    targets = {"store": f"http://127.0.0.1:{store_port}/payments/webhook",
               "bare": f"http://127.0.0.1:{bare_port}/payments/webhook"}
    try:
        for url in targets.values():
            await wait_until_up(url)
        for name, url in targets.items():  # warm-up: pools, caches, first imports
            await fire(url, secret, 200, args.concurrency)
        results: dict[str, list] = {name: [] for name in targets}
        for _ in range(args.repeats):
            for name, url in targets.items():
                results[name].append(await fire(url, secret, args.events, args.concurrency))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        engine.dispose()

    print(f"\n{args.events} signed events x {args.repeats} per target, {args.concurrency} at a time, PostgreSQL, "
          "one worker each")
    rates = {}
    for name, runs in results.items():
        rates[name] = sum(rate for rate, _, _ in runs) / len(runs)
        latencies = [x for _, lat, _ in runs for x in lat]
        statuses: dict[int, int] = {}
        for _, _, counted in runs:
            for status, count in counted.items():
                statuses[status] = statuses.get(status, 0) + count
        print(f"{name:<6} {rates[name]:7.0f} events/s   p50 {percentile(latencies, 50) * 1000:5.1f} ms   "
              f"p95 {percentile(latencies, 95) * 1000:5.1f} ms   answers {dict(sorted(statuses.items()))}")
    print(f"store / bare: {rates['store'] / rates['bare']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--logs", default="/tmp/pepestore-bench-webhook")
    args = parser.parse_args()
    name, url = create_database(args.admin_url)
    try:
        asyncio.run(bench(args, url))
    finally:
        drop_database(args.admin_url, name)


if __name__ == "__main__":
    main()
