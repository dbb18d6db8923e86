"""bench/page_work.py --tasks: which main-thread task to go after, read from a Chromium trace."""

import sys

from pepestore.settings import PROJECT_ROOT

# bench/ holds scripts, not a package (page_work imports catalog_paint beside it): on the path only for this import,
# so that its module names (checkout, webhook, …) shadow nothing for other tests.
sys.path.insert(0, str(PROJECT_ROOT / "bench"))
try:
    from page_work import long_tasks
finally:
    sys.path.remove(str(PROJECT_ROOT / "bench"))

MAIN, OTHER = (1, 10), (1, 11)


def event(thread, name, ts_ms, dur_ms, **args):
    return {"pid": thread[0], "tid": thread[1], "ph": "X", "name": name, "ts": ts_ms * 1000, "dur": dur_ms * 1000,
            "args": args}


def trace():
    return [
        {"pid": 1, "tid": 10, "ph": "M", "name": "thread_name", "args": {"name": "CrRendererMain"}},
        {"pid": 1, "tid": 11, "ph": "M", "name": "thread_name", "args": {"name": "Compositor"}},
        {"pid": 1, "tid": 10, "ph": "R", "name": "navigationStart", "ts": 1_000_000},
        {"pid": 1, "tid": 10, "ph": "R", "name": "firstContentfulPaint", "ts": 1_250_000},
        # A whole-page restyle after the stylesheet arrives: the task to go after.
        event(MAIN, "RunTask", 1300, 90),
        event(MAIN, "UpdateLayoutTree", 1301, 55, elementCount=1362),
        event(MAIN, "Layout", 1360, 20),
        event(MAIN, "Paint", 1385, 1.5),  # under 2 ms: not named
        # A module evaluation, named by its file.
        event(MAIN, "RunTask", 1500, 35),
        event(MAIN, "v8.evaluateModule", 1500, 34, data={"url": "http://localhost:3000/assets/root-abc.js"}),
        # Short tasks, and another thread's long one: not listed.
        event(MAIN, "RunTask", 1600, 9.9),
        event(OTHER, "RunTask", 1300, 500),
    ]


def test_lists_each_long_task_of_the_pages_main_thread_with_what_took_it():
    lines = long_tasks(trace())
    assert lines[0] == "first contentful paint at 250 ms"
    assert len(lines) == 3
    assert lines[1].split()[:4] == ["300", "ms", "90.0", "ms"]
    assert lines[1].endswith("UpdateLayoutTree (1362 elements) 55, Layout 20")
    assert lines[2].split()[:4] == ["500", "ms", "35.0", "ms"]
    assert lines[2].endswith("v8.evaluateModule root-abc.js 34")


def test_the_threshold_and_the_number_of_parts_are_the_callers():
    assert len(long_tasks(trace(), threshold_ms=50)) == 2
    assert long_tasks(trace(), parts=1)[1].endswith("UpdateLayoutTree (1362 elements) 55")
