"""A page load's main-thread work, read from Chromium traces: style recalculation, layout, script, long tasks.

    python bench/page_work.py http://localhost:3000/                     # the catalog, 9 loads
    python bench/page_work.py --runs 15 http://localhost:3000/ http://localhost:3001/   # two builds, alternating
    python bench/page_work.py --runs 3 --tasks http://localhost:3000/   # also list each load's tasks of 10 ms or more

Lighthouse's blocking time on this 2-core machine moves by 150-400 ms between runs of one unchanged page (it
multiplies every observed task by its CPU slowdown, so any contention on the machine lands in it). This reads the
same work from the trace, split by kind, to compare two builds of a page with less noise: each load is a new
browser context (cold cache) at Lighthouse's mobile viewport, traced from navigation through its load event and
until the network has been idle, then `--settle` seconds more; with several URLs the loads alternate, in reverse
order every other round. Prints, per URL, medians over the loads of:
- style: all style recalculations (ms), how many of them restyled more than 500 elements (whole-page ones), and
  the elements restyled in all;
- layout (ms, objects laid out), script (ms: evaluation, compilation, function calls, microtasks);
- main thread busy (ms, tasks of the renderer's main thread) and tasks of 50 ms or more;
- "blocking at 4x": the sum over tasks of max(0, 4 x duration - 50 ms), what Lighthouse's total blocking time
  would count if this machine's CPU were 4x slower and nothing else ran; an estimate to compare builds, not
  Lighthouse's figure (its simulation also reorders the tasks and starts counting at its own first paint).

With --tasks, each load's tasks of 10 ms or more are listed too, in order, with their start after the navigation,
their length and what took most of them (style recalculations with the elements they restyled, layout, stylesheet
parses, module evaluations, calls by script file): the medians say how much, the list says which task to go after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from catalog_paint import ARGS  # the same Chromium flags as the paint bench (bench/ is on the path when run)
from playwright.sync_api import Browser, sync_playwright

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "loading", "v8.execute"]
SCRIPT = {"EvaluateScript", "v8.evaluateModule", "v8.compile", "v8.compileModule", "FunctionCall", "RunMicrotasks"}
WHOLE_PAGE = 500  # elements: a style recalculation larger than this restyled the page, not a part of it


def renderer_main(events: list[dict]) -> tuple[int, int]:
    """(pid, tid) of the page's renderer main thread: the CrRendererMain thread with the most task time."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    busy: dict[tuple[int, int], int] = {}
    for e in events:
        key = (e["pid"], e["tid"])
        if names.get(key) == "CrRendererMain" and e.get("name") == "RunTask" and e.get("ph") == "X":
            busy[key] = busy.get(key, 0) + e["dur"]
    return max(busy, key=busy.__getitem__)


def summarise(events: list[dict]) -> dict[str, float]:
    main = renderer_main(events)
    # Chromium writes these as complete ("X") events; a begin/end pair would be missed, so say so if one shows up.
    if any((e["pid"], e["tid"]) == main and e.get("ph") in ("B", "E") for e in events):
        print("warning: begin/end events on the main thread are not counted", file=sys.stderr)
    own = [e for e in events if (e["pid"], e["tid"]) == main and e.get("ph") == "X"]
    tasks = [e["dur"] / 1000 for e in own if e["name"] == "RunTask"]
    styles = [e for e in own if e["name"] == "UpdateLayoutTree"]
    layouts = [e for e in own if e["name"] == "Layout"]
    # Script events nest (a function call inside an evaluation): count only the outermost of each run.
    script, until = 0.0, -1
    for e in sorted((e for e in own if e["name"] in SCRIPT), key=lambda e: (e["ts"], -e["dur"])):
        if e["ts"] >= until:
            script += e["dur"] / 1000
            until = e["ts"] + e["dur"]
    return {
        "style ms": sum(e["dur"] for e in styles) / 1000,
        "whole-page restyles": sum(1 for e in styles if e.get("args", {}).get("elementCount", 0) > WHOLE_PAGE),
        "elements restyled": sum(e.get("args", {}).get("elementCount", 0) for e in styles),
        "layout ms": sum(e["dur"] for e in layouts) / 1000,
        "objects laid out": sum((e.get("args", {}).get("beginData") or {}).get("dirtyObjects", 0) for e in layouts),
        "script ms": script,
        "main thread busy ms": sum(tasks),
        "tasks >= 50 ms": sum(1 for d in tasks if d >= 50),
        "blocking at 4x ms": sum(max(0.0, 4 * d - 50) for d in tasks),
    }


def long_tasks(events: list[dict], threshold_ms: float = 10.0, parts: int = 4) -> list[str]:
    """One line per main-thread task of `threshold_ms` or more: start (ms after the navigation), length, and the
    `parts` kinds of work inside it that took longest (an event of 2 ms or more, named as the trace names it)."""
    main = renderer_main(events)
    own = sorted((e for e in events if (e["pid"], e["tid"]) == main and e.get("ph") == "X"), key=lambda e: e["ts"])
    starts = [e["ts"] for e in events if e.get("name") == "navigationStart"]
    origin = min(starts) if starts else (own[0]["ts"] if own else 0)
    paints = [e["ts"] for e in events if e.get("name") == "firstContentfulPaint"]
    lines = [f"first contentful paint at {(paints[0] - origin) / 1000:.0f} ms"] if paints else []
    for task in (e for e in own if e["name"] == "RunTask" and e["dur"] >= threshold_ms * 1000):
        end, inside = task["ts"] + task["dur"], {}
        for e in own:
            if e["name"] == "RunTask" or e["dur"] < 2000 or not task["ts"] <= e["ts"] < end:
                continue
            args = e.get("args", {})
            label = e["name"]
            if e["name"] == "UpdateLayoutTree":
                label += f" ({args.get('elementCount', '?')} elements)"
            url = ((args.get("data") or {}).get("url") or "").rsplit("/", 1)[-1]
            if url:
                label += f" {url[:40]}"
            inside[label] = inside.get(label, 0) + e["dur"] / 1000
        top = sorted(inside.items(), key=lambda item: -item[1])[:parts]
        lines.append(f"{(task['ts'] - origin) / 1000:7.0f} ms  {task['dur'] / 1000:6.1f} ms  "
                     + ", ".join(f"{label} {ms:.0f}" for label, ms in top))
    return lines


def load_once(browser: Browser, url: str, settle: float, tasks: bool = False) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75,
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        browser.start_tracing(page=page, categories=CATEGORIES)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(settle * 1000)
        events = json.loads(browser.stop_tracing())["traceEvents"]
        if tasks:
            print(f"tasks of {url}:")
            print("\n".join(f"  {line}" for line in long_tasks(events)))
        return summarise(events)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds traced after the network is idle")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", type=Path, help="also write the medians as JSON here")
    parser.add_argument("--tasks", action="store_true", help="list each load's tasks of 10 ms or more")
    args = parser.parse_args()
    loads: dict[str, list[dict[str, float]]] = {url: [] for url in args.urls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        for url in args.urls:
            load_once(browser, url, 0.5)  # warm-up: the server's caches, not the browser's (each load is cold)
        for round_ in range(args.runs):
            for url in args.urls if round_ % 2 == 0 else args.urls[::-1]:
                loads[url].append(load_once(browser, url, args.settle, args.tasks))
        browser.close()
    medians = {url: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
               for url, runs in loads.items()}
    print(f"median of {args.runs} loads each, 412x823 mobile viewport, unthrottled")
    width = max(len(key) for key in next(iter(medians.values())))
    for url, row in medians.items():
        print(url)
        for key, value in row.items():
            print(f"  {key:<{width}}  {value:8.1f}")
    if args.json:
        args.json.write_text(json.dumps(medians, indent=2))


if __name__ == "__main__":
    main()
