"""Time from navigation to the first product card visible, in headless Chromium with a cold cache.

    python bench/catalog_paint.py --url http://localhost:3000 --runs 10

Each run is a new browser context (empty cache, no storage). Prints every run and the median/p95.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        for run in range(args.runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            started = time.perf_counter()
            page.goto(args.url + "/", wait_until="commit")
            page.locator(".product-card").first.wait_for(state="visible", timeout=30_000)
            elapsed = time.perf_counter() - started
            timings.append(elapsed)
            print(f"run {run + 1}: first product visible after {elapsed * 1000:.0f} ms")
            context.close()
        browser.close()
    ordered = sorted(timings)
    print(f"\n{args.url}: median {statistics.median(timings) * 1000:.0f} ms, "
          f"p95 {ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
