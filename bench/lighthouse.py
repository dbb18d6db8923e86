"""Lighthouse scores of a running store (or of any URL), on Debian's Chromium, mobile with default throttling.

    python bench/lighthouse.py --store http://localhost:3000              # catalog, a product page, the cart
    python bench/lighthouse.py --runs 3 http://localhost:4000/           # any URL (a yardstick store)
    python bench/lighthouse.py --store http://localhost:3000 --audits    # also list every failing audit

Installs npm `lighthouse` on first use into bench/.lighthouse (gitignored; needs Node >= 22, which
scripts/bootstrap.sh puts on PATH). Each run is a fresh headless Chromium profile. Prints, per page, the median
over the runs of the four category scores and of FCP, LCP, TBT (Lighthouse's simulated mobile load: Moto G
Power class CPU at 4x slowdown, slow 4G), and with --audits the audits that did not pass in the last run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
INSTALL_DIR = HERE / ".lighthouse"
LIGHTHOUSE_VERSION = "13"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP", "total-blocking-time": "TBT"}
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this machine refuses; the
# stalls would show up in the measured load.
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-default-apps", "--disable-extensions"]
DEFAULT_PRODUCT = "ceramic-mug-terracotta"


def lighthouse_bin() -> Path:
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm not found: run `source scripts/bootstrap.sh requirements-dev.txt` first")
        print(f"==> Installing lighthouse@{LIGHTHOUSE_VERSION} into {INSTALL_DIR}", file=sys.stderr)
        INSTALL_DIR.mkdir(exist_ok=True)
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(INSTALL_DIR),
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return binary


def run_once(binary: Path, url: str, chromium: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        flags = [*CHROME_FLAGS, f"--user-data-dir={tmp}/profile"]
        command = [str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(flags)}"]
        result = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium}, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0 or not report.exists():
            sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
        return json.loads(report.read_text())


def summarise(reports: list[dict]) -> dict[str, float]:
    row: dict[str, float] = {}
    for category in CATEGORIES:
        scores = [r["categories"][category]["score"] for r in reports]
        row[category] = round(statistics.median(s * 100 for s in scores if s is not None))
    for audit, name in METRICS.items():
        row[name] = statistics.median(r["audits"][audit]["numericValue"] for r in reports)
    return row


def failing_audits(report: dict) -> list[str]:
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if score is None or score >= 0.9 or audit.get("scoreDisplayMode") in ("notApplicable", "manual"):
                continue
            value = audit.get("displayValue", "")
            lines.append(f"    [{category}] {ref['id']} (score {score:.2f}) {value}".rstrip())
            items = (audit.get("details") or {}).get("items")
            for item in (items if isinstance(items, list) else [])[:5]:
                if not isinstance(item, dict):
                    continue
                node = item.get("node") or {}
                where = node.get("snippet") or item.get("url") or item.get("source") or ""
                if where:
                    lines.append(f"        {str(where)[:150]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", help="pages to score (besides --store's)")
    parser.add_argument("--store", help="base URL of a running Pepestore: scores /, a product page and /cart")
    parser.add_argument("--product-slug", default=DEFAULT_PRODUCT)
    parser.add_argument("--runs", type=int, default=3, help="runs per page; medians are printed (default 3)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--audits", action="store_true", help="list the audits that did not pass")
    parser.add_argument("--json", type=Path, help="also write the medians as JSON here")
    args = parser.parse_args()
    urls = list(args.urls)
    if args.store:
        base = args.store.rstrip("/")
        urls = [f"{base}/", f"{base}/product/{args.product_slug}", f"{base}/cart", *urls]
    if not urls:
        parser.error("give --store or at least one URL")
    binary = lighthouse_bin()
    rows = {}
    print(f"{'page':<48} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7}")
    for url in urls:
        reports = [run_once(binary, url, args.chromium) for _ in range(args.runs)]
        row = rows[url] = summarise(reports)
        print(f"{url:<48} {row['performance']:>4} {row['accessibility']:>4} {row['best-practices']:>4} "
              f"{row['seo']:>4} {row['FCP']:>7.0f} {row['LCP']:>7.0f} {row['TBT']:>7.0f}", flush=True)
        if args.audits:
            print("\n".join(failing_audits(reports[-1])) or "    (every audit passed)", flush=True)
    print(f"lighthouse {reports[-1]['lighthouseVersion']}, {reports[-1]['environment']['hostUserAgent']}, "
          f"median of {args.runs} run(s) per page")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
