"""First paint, side by side: Pepestore against a plain React + JSON API store of the same products.

    flock /tmp/pepestore-heavy.lock python bench/catalog_paint.py
        Seeds a scratch SQLite database, starts Pepestore (production build, single port) and the React yardstick
        (bench/yardstick.py, built on demand) on it, and measures the catalog, a product page and the cart.
    python bench/catalog_paint.py --database-url sqlite:////tmp/big.db
        The same on an existing database (e.g. one from bench/seed_catalog.py), migrated and seeded first.
    python bench/catalog_paint.py --pair http://localhost:3000 http://localhost:8010 --path / --text "Terracotta"
        Any two running sites: time until the given text (or the first .product-name) is visible; `--css "#empty-cart"`
        waits for an element instead (the product page's `#product-name`, the cart's `#empty-cart` on both sites).

Each run opens a new browser context (cold cache, no storage) and times navigation until the page's main content
is visible: the catalog's first product name, the product page's name heading, the cart's empty-cart message (a
fresh visitor has no cart). One warm-up, then 7 runs, alternating the two sites; prints both medians and the ratio,
by two clocks:
- painted: the browser's own Element Timing entry for that text (the moment the frame that shows it was presented,
  from navigation start). An init script marks the element with `elementtiming` as soon as it is in the DOM, the
  same way on both sites.
- polled: Playwright's `wait_for(state="visible")`, from `goto()`. Playwright waits 20, 50, 100, 100, then 500 ms
  between its checks (checks at about 0, 20, 70, 170, 270, 770, 1270 ms, plus each check's round trip), so this
  clock rounds a page up to its next check (a page ready at 280 ms counts as ~770 when the check at ~270 just missed
  it), and it says "visible" once the element has a box, before the frame is painted. Kept because earlier figures
  used it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    found_by: tuple[str, str]  # the main content: ("text", an exact text) or ("css", a selector)
    painted: bool = True  # also read its paint (False: an element the page already painted, e.g. changed live)

    @property
    def selector(self) -> str:
        """The same element as a Playwright selector."""
        how, what = self.found_by
        return f"text={json.dumps(what)}" if how == "text" else what  # text: quoted, an exact match


# Marks the target element, what it holds, and its two nearest ancestors (Chromium reports a text's paint on the
# block that holds it, which for a link's text is the link's parent) with `elementtiming` as soon as the parser or
# React inserts them, again on every change until one is painted (its children may come in a later chunk, or the
# element be replaced), and keeps the earliest paint reported.
PAINT_PROBE = r"""
([how, what]) => {
  window.__mainContentPainted = null;
  const find = () => {
    if (how === "css") return document.querySelector(what);
    const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      if (node.length >= what.length && node.data.trim() === what) return node.parentElement;
    return null;
  };
  const mark = () => {
    const element = find();
    if (!element) return;
    for (let e = element, i = 0; e && e !== document.body && i < 3; e = e.parentElement, i++)
      e.setAttribute("elementtiming", "main-content");
    for (const e of element.querySelectorAll("*")) e.setAttribute("elementtiming", "main-content");
  };
  const observer = new MutationObserver(() => { if (window.__mainContentPainted === null) mark(); });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier !== "main-content") continue;
      const at = entry.renderTime || entry.loadTime;
      if (window.__mainContentPainted === null || at < window.__mainContentPainted) window.__mainContentPainted = at;
      observer.disconnect();
    }
  }).observe({type: "element", buffered: true});
  observer.observe(document, {childList: true, subtree: true});
}
"""


def time_to_visible(browser: Browser, url: str, target: Target) -> tuple[float, float]:
    """(painted, polled) seconds: see the module's docstring; painted is NaN if no paint was reported in 10 s."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        if target.painted:
            context.add_init_script(f"({PAINT_PROBE})({json.dumps(list(target.found_by))})")
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator(target.selector).first.wait_for(state="visible", timeout=60_000)
        polled = time.perf_counter() - started
        painted = math.nan
        if target.painted:
            with contextlib.suppress(PlaywrightTimeoutError):
                painted = page.wait_for_function("window.__mainContentPainted", timeout=10_000).json_value() / 1000
        return painted, polled
    finally:
        context.close()


def measure(browser: Browser, sites: dict[str, str], target: Target, runs: int) -> dict[str, tuple[float, float]]:
    """Median (painted, polled) seconds per site; one warm-up run each (not counted), then `runs` runs alternating
    the sites."""
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in sites}
    for run in range(runs + 1):
        for name, base in sites.items():
            timing = time_to_visible(browser, base + target.path, target)
            if run:
                timings[name].append(timing)
    return {name: (_median([t[0] for t in values]), _median([t[1] for t in values])) for name, values in timings.items()}


def _median(values: list[float]) -> float:
    """Of the runs that have a figure (a paint the probe never saw has none; the report says how many)."""
    known = [value for value in values if not math.isnan(value)]
    if known and len(known) < len(values):
        print(f"  ({len(values) - len(known)} of {len(values)} runs reported no paint)", flush=True)
    return statistics.median(known) if known else math.nan


def report(target: Target, medians: dict[str, tuple[float, float]], runs: int) -> None:
    (name_a, a), (name_b, b) = medians.items()
    for clock, i in (("painted", 0), ("polled", 1)):
        print(f"{target.label:<14} {clock:<8} {name_a} {a[i] * 1000:6.0f} ms   {name_b} {b[i] * 1000:6.0f} ms   "
              f"ratio {a[i] / b[i]:4.2f}x   (median of {runs}, path {target.path})", flush=True)


def first_product(database_url: str) -> tuple[str, str]:
    """The slug and name of the catalog's first product in the default ("featured") order."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT slug, name FROM product WHERE active ORDER BY "
                                "CASE WHEN stock > 0 THEN 0 ELSE 1 END, id LIMIT 1")).one()
    engine.dispose()
    return row.slug, row.name


@contextlib.contextmanager
def stores(database_url: str):
    """Pepestore and the yardstick on one database; yields their base URLs."""
    from bench import yardstick
    from tests.browser.store_process import free_port, running_store

    with running_store(database_url, name="catalog-paint") as pepestore_url:
        port = free_port()
        react = yardstick.start(database_url, port)
        try:
            deadline = time.monotonic() + 60
            from tests.browser.store_process import answers

            while not answers(f"http://127.0.0.1:{port}/api/cart"):
                if react.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the React yardstick did not start")
                time.sleep(0.2)
            yield pepestore_url, f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(react.pid, signal.SIGTERM)
            react.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="measure on this database (default: a fresh seeded SQLite file)")
    parser.add_argument("--pair", nargs=2, metavar=("URL_A", "URL_B"), help="measure two running sites instead")
    parser.add_argument("--path", default="/", help="with --pair: the path to open on both")
    parser.add_argument("--text", help="with --pair: wait for this text (default: the first .product-name)")
    parser.add_argument("--css", help="with --pair: wait for the first element this selector matches instead")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        if args.pair:
            wait_for = ("text", args.text) if args.text else ("css", args.css or ".product-name")
            target = Target("page", args.path, wait_for)
            report(target, measure(browser, {"A": args.pair[0], "B": args.pair[1]}, target, args.runs), args.runs)
            return
        with contextlib.ExitStack() as stack:
            database_url = args.database_url
            if database_url is None:
                scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="catalog-paint-"))
                database_url = f"sqlite:///{scratch}/store.db"
            pepestore_url, react_url = stack.enter_context(stores(database_url))
            slug, name = first_product(database_url)
            sites = {"pepestore": pepestore_url, "react": react_url}
            for target in (Target("catalog", "/", ("text", name)),
                           Target("product page", f"/product/{slug}", ("css", "#product-name")),
                           Target("cart", "/cart", ("css", "#empty-cart"))):
                report(target, measure(browser, sites, target, args.runs), args.runs)
        browser.close()


if __name__ == "__main__":
    main()
