"""The worker-side exit guarantee (pepestore/shutdown.py), on a real process and real signals.

Each case runs a small program that stops the way a Granian worker does (a stop handler registered with the
event loop) and then hangs the way a worker did in production; the issue bounds the exit at 10 s.
"""

import asyncio
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pepestore.settings import PROJECT_ROOT
from pepestore.shutdown import InFlight

EXIT_BOUND_S = 10

# A Granian-like worker: the loop's own SIGTERM/SIGINT handler asks for a graceful stop; then the program hangs
# in a thread the interpreter joins at exit (a database call that never returns).
WORKER = textwrap.dedent("""
    import asyncio, signal, sys, threading, time
    from pepestore.shutdown import _StopSignals

    HANG = sys.argv[1]

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        _StopSignals(grace_seconds=2).install()
        print("ready", flush=True)
        await stop.wait()
        print("graceful stop began", flush=True)
        if HANG == "lifespan":
            await asyncio.sleep(3600)

    def stuck_database_call():
        time.sleep(3600)

    threading.Thread(target=stuck_database_call, name="stuck-db-call").start()
    asyncio.run(main())
""")


def start_worker(hang: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WORKER, hang], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def stop(process: subprocess.Popen, *signals: int) -> tuple[float, str, str]:
    started = time.monotonic()
    for signum in signals:
        process.send_signal(signum)
        time.sleep(0.3)
    try:
        out, err = process.communicate(timeout=EXIT_BOUND_S + 5)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the process was still running 15 s after the stop signal")
    return time.monotonic() - started, out, err


@pytest.mark.parametrize("hang", ["exit", "lifespan"])
def test_a_worker_that_hangs_after_sigterm_is_gone_within_ten_seconds(hang):
    elapsed, out, err = stop(start_worker(hang), signal.SIGTERM)
    assert "graceful stop began" in out, "the loop's own stop handler must still run"
    assert elapsed < EXIT_BOUND_S
    # What was stuck is on stderr for the operator.
    assert "Timeout" in err and ("stuck_database_call" in err or "main" in err)


def test_a_second_ctrl_c_exits_at_once():
    process = start_worker("lifespan")
    elapsed, out, err = stop(process, signal.SIGINT, signal.SIGINT)
    assert process.returncode == 130
    assert "graceful stop began" in out and "second Ctrl-C" in err
    assert elapsed < 2, "a second Ctrl-C must not wait for the grace period"


def test_shutdown_waits_for_an_in_flight_request_and_no_longer_than_its_bound():
    async def scenario():
        tracker = InFlight()
        assert await tracker.drained(0.01)

        async def request(seconds):
            with tracker.track():
                await asyncio.sleep(seconds)

        short = asyncio.create_task(request(0.2))
        await asyncio.sleep(0)
        assert tracker.count == 1
        assert await tracker.drained(5) and short.done()
        stuck = asyncio.create_task(request(3600))
        await asyncio.sleep(0)
        assert not await tracker.drained(0.2)
        stuck.cancel()

    asyncio.run(scenario())
