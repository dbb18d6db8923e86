"""Simulated shoppers against a running Pepestore (one instance or the nginx topology), printing per-step
latency percentiles, throughput and errors.

Each shopper: browse (static page + catalog load event over Reflex's websocket), add to cart (event round
trip), check out (order + Fintoc session against the sandbox: the `pay` event until the session token
arrives), and the webhook (a signed payment_intent.succeeded POSTed through the load balancer).

    python bench/shoppers.py --url http://localhost:8080 --database-url postgresql+psycopg://…/pepestore \
        --shoppers 60 --concurrency 20

Needs the bench extras: pip install -r bench/requirements.txt
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections import defaultdict

import aiohttp
import socketio
from sqlmodel import Session, create_engine, select

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from pepestore.models import Order  # noqa: E402
from pepestore.payments import signature  # noqa: E402
from pepestore.payments.sandbox.models import SandboxAccount  # noqa: E402

CART = "reflex___state____state.pepestore___state___cart____cart_state"
CATALOG = "reflex___state____state.pepestore___state___catalog____catalog_state"
CHECKOUT = "reflex___state____state.pepestore___state___checkout____checkout_state"
STEPS = ("browse", "add_to_cart", "checkout", "webhook")
NAMESPACE = "/_event"  # Reflex's socket.io namespace and path


def http_session() -> aiohttp.ClientSession:
    """The run's one HTTP client for every shopper's pages and socket. No cookies: every shopper is its own
    browser. No connection limit: each open socket holds one."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=30),
                                 connector=aiohttp.TCPConnector(limit=0))


class Shopper:
    """One browser tab, speaking Reflex's websocket protocol."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession):
        self.base_url = base_url
        self.token = str(uuid.uuid4())
        # The run's one HTTP client (no cookies, like the separate client each socket used to open): one connection
        # pool for every socket, page and webhook, so the load generator spends its share of the two cores on
        # shoppers rather than on a client per shopper.
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http)
        self.updates: asyncio.Queue = asyncio.Queue()
        self.sio.on("event", self._on_update, namespace=NAMESPACE)
        self.state: dict = defaultdict(dict)

    async def _on_update(self, data):
        update = json.loads(data) if isinstance(data, str) else data
        for substate, values in (update.get("delta") or {}).items():
            self.state[substate].update(values)
        await self.updates.put(update)

    async def connect(self) -> None:
        await self.sio.connect(f"{self.base_url}?token={self.token}", socketio_path=NAMESPACE,
                               namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=10)

    async def close(self) -> None:
        await self.sio.disconnect()

    async def send(self, name: str, payload: dict, path: str = "/", until: str | None = None) -> None:
        """Emit one event; with `until`, wait for the first update that changes that substate."""
        while not self.updates.empty():
            self.updates.get_nowait()
        await self.sio.emit("event", {
            "name": name, "payload": payload,
            "router_data": {"pathname": path, "query": {}, "asPath": path},
        }, namespace=NAMESPACE)
        while until is not None:
            update = await asyncio.wait_for(self.updates.get(), timeout=30)
            if until in (update.get("delta") or {}):
                return

    async def wait_for(self, substate: str, key: str, predicate, timeout: float = 30) -> object:
        deadline = time.monotonic() + timeout
        while not predicate(self.state[substate].get(key)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{substate}.{key} never arrived")
            try:
                await asyncio.wait_for(self.updates.get(), timeout=remaining)
            except asyncio.TimeoutError:
                pass
        return self.state[substate][key]


def published_products(engine) -> list[dict]:
    from pepestore.models import Product  # noqa: PLC0415 - only when the load sent none

    with Session(engine) as session:
        return [{"id": p.id, "stock": p.stock} for p in session.exec(select(Product).where(Product.active))]


class Shelf:
    """The published products and their stock, read from the database once per run (a tab has them from the page's
    HTML, not from a query): each shopper's pick then takes one off the count here, as its order takes one off the
    store's stock, so later shoppers see what is left as if they had read it again."""

    def __init__(self, engine):
        self.engine = engine
        self.products: list[dict] | None = None
        self.lock = asyncio.Lock()

    async def current(self) -> list[dict]:
        async with self.lock:
            if self.products is None:
                self.products = await asyncio.to_thread(published_products, self.engine)
        return self.products

    def taken(self, product_id: int) -> None:
        for product in self.products or ():
            if product["id"] == product_id:
                product["stock"] -= 1


async def one_shopper(index: int, args, http: aiohttp.ClientSession, secret: str, engine, shelf: Shelf,
                      results) -> None:
    shopper = Shopper(args.url, http)

    async def step(name: str, coro):
        started = time.perf_counter()
        try:
            value = await coro
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            results["errors"][name].append(f"{exc.__class__.__name__}: {exc}"[:120])
            raise
        results["latency"][name].append(time.perf_counter() - started)
        return value

    try:
        async def browse():
            async with http.get(f"{args.url}/") as page:
                page.raise_for_status()
                await page.read()
            await shopper.connect()
            await shopper.send(f"{CATALOG}.load", {}, until=CATALOG)

        await step("browse", browse())
        # The load sends products only when they differ from the first page baked into the frontend (a tab has
        # those from the HTML): a first visit gets none, so they are read from the database instead (once a run).
        sent = shopper.state[CATALOG].get("products_rx_state_")
        products = sent or await shelf.current()
        in_stock = [p for p in products if p.get("stock", 0) > 2]
        product = in_stock[index % len(in_stock)]
        if not sent:
            shelf.taken(product["id"])
        await step("add_to_cart", shopper.send(f"{CART}.add_to_cart", {"product_id": product["id"], "quantity": 1},
                                               until=CART))

        async def checkout():
            await shopper.send(f"{CHECKOUT}.pay", {"form_data": {"email": f"bench{index}@example.cl"}}, "/cart")
            return await shopper.wait_for(CHECKOUT, "order_token_rx_state_", bool)

        order_token = await step("checkout", checkout())

        def order_facts():
            with Session(engine) as session:
                return session.exec(select(Order.id, Order.total).where(Order.public_token == order_token)).one()

        order_id, total = await asyncio.to_thread(order_facts)
        body = json.dumps({"id": f"evt_bench_{uuid.uuid4().hex}", "type": "payment_intent.succeeded",
                           "object": "event", "mode": "test",
                           "data": {"id": f"pi_bench_{order_id}", "object": "payment_intent", "amount": total,
                                    "currency": "CLP", "status": "succeeded",
                                    "metadata": {"order_id": str(order_id)}}}).encode()

        async def webhook():
            async with http.post(f"{args.url}/payments/webhook", data=body,
                                 headers={"Fintoc-Signature": signature.sign(body, secret)}) as response:
                response.raise_for_status()
                await response.read()

        await step("webhook", webhook())
    except Exception:  # noqa: BLE001 - already recorded by step()
        pass
    finally:
        if shopper.sio.connected:
            await shopper.close()


def machine_busy() -> tuple[int, int] | None:
    """Busy and total CPU ticks of the whole machine so far (Linux), to tell a saturated run from an idle one."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


# Who spent the machine's CPU during the timed run, by kind of process (Linux /proc): the services by their process
# name first (a PostgreSQL backend's command line names the store's database), then the store by its command line.
SERVICES = (("PostgreSQL", "postgres"), ("Redis", "redis"), ("nginx", "nginx"))
STORE_MARKS = ("reflex", "granian", "pepestore")
KINDS = ["store"] + [kind for kind, _ in SERVICES]


def cpu_by_kind() -> dict[str, float] | None:
    """CPU seconds so far of every live process, summed by KINDS (this process: "load generator")."""
    try:
        pids = [pid for pid in os.listdir("/proc") if pid.isdigit()]
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    spent: dict[str, float] = defaultdict(float)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                line = stat.read()
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        name, fields = line[line.find("(") + 1:line.rfind(")")], line[line.rfind(")") + 2:].split()
        # utime + stime, and cutime + cstime: the children it reaped meanwhile (PostgreSQL's closed backends)
        seconds = sum(int(value) for value in fields[11:15]) / tick
        if int(pid) == os.getpid():
            kind = "load generator"
        else:
            kind = next((kind for kind, prefix in SERVICES if name.startswith(prefix)), None) or \
                ("store" if any(mark in command for mark in STORE_MARKS) else "other")
        spent[kind] += seconds
    return spent


def cpu_report(before: dict[str, float] | None, after: dict[str, float] | None, elapsed: float,
               purchases: int) -> str | None:
    """Cores each kind kept busy, and its CPU per complete purchase (a process that exited meanwhile counts only
    through its parent, if that reaped it)."""
    if not before or not after or not purchases:
        return None
    parts = []
    for kind in KINDS + ["load generator", "other"]:
        used = max(0.0, after.get(kind, 0.0) - before.get(kind, 0.0))
        parts.append(f"{kind} {used / elapsed:.2f} ({used * 1000 / purchases:.0f} ms)")
    return "cores busy (CPU per purchase): " + ", ".join(parts)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--database-url", required=True, help="the store's database (reads the sandbox's keys)")
    parser.add_argument("--shoppers", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=0,
                        help="shoppers sent first and not counted: a fresh instance's first purchases cost more")
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    engine = create_engine(args.database_url)
    with Session(engine) as session:
        secret = session.exec(select(SandboxAccount.webhook_secret)).one()
    results = {"latency": defaultdict(list), "errors": defaultdict(list)}
    warmup = {"latency": defaultdict(list), "errors": defaultdict(list)}
    gate = asyncio.Semaphore(args.concurrency)
    shelf = Shelf(engine)
    async with http_session() as http:
        async def gated(i, into):
            async with gate:
                await one_shopper(i, args, http, secret, engine, shelf, into)

        # The same shoppers doing the same steps, only not timed; then the measured ones, numbered on from them.
        await asyncio.gather(*(gated(i, warmup) for i in range(args.warmup)))
        kinds_before, machine_before = cpu_by_kind(), machine_busy()
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(gated(args.warmup + i, results) for i in range(args.shoppers)))
        elapsed, own_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        machine_after, kinds_after = machine_busy(), cpu_by_kind()

    completed = len(results["latency"]["webhook"])
    print(f"\n{args.label or args.url}: {args.shoppers} shoppers, {args.concurrency} at once, {elapsed:.1f} s")
    if args.warmup:
        failed = sum(len(errors) for errors in warmup["errors"].values())
        print(f"after a warm-up of {args.warmup} shoppers, not counted: {len(warmup['latency']['webhook'])} "
              f"purchases, {failed} errors")
    print(f"throughput: {completed / elapsed:.1f} complete purchases/s")
    # Where the run's CPU went: this load generator shares the machine with what it measures.
    cores = os.cpu_count() or 1
    line = f"load generator: {own_cpu / elapsed:.0%} of a core"
    if machine_before and machine_after:
        busy, total = (after - before for after, before in zip(machine_after, machine_before))
        line += f"; whole machine: {busy / total:.0%} busy ({cores} cores)" if total else ""
    print(line)
    by_kind = cpu_report(kinds_before, kinds_after, elapsed, completed)
    if by_kind:
        print(by_kind)
    print(f"{'step':12} {'ok':>5} {'err':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name in STEPS:
        values, errors = results["latency"][name], results["errors"][name]
        if values:
            print(f"{name:12} {len(values):5} {len(errors):5} {percentile(values, 50) * 1000:8.1f} "
                  f"{percentile(values, 95) * 1000:8.1f} {percentile(values, 99) * 1000:8.1f} "
                  f"{statistics.mean(values) * 1000:8.1f}")
        else:
            print(f"{name:12} {0:5} {len(errors):5}")
        for message in sorted(set(errors))[:3]:
            print(f"    error: {message}")
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
