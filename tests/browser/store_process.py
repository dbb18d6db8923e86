"""Start the real store (production build, single port, migrated and seeded database) as its own process group,
and stop it the way an operator does: SIGTERM, every process gone within 10 s, or the test fails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pepestore.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
START_TIMEOUT_S = 600
STOP_BOUND_S = 10  # the promise: every process of the store gone within 10 s of SIGTERM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(stat.parent.name))
    return members


class Store:
    """`reflex run --env prod --single-port` on a fresh, seeded database, leading its own process group.

    The production build bakes the server's port into the frontend it writes to `.web/`: a store running beside
    the session's store needs its own web_dir, or its build would point the other's pages at the wrong port.
    """

    def __init__(self, database_url: str, log_name: str, *, extra_env: dict[str, str] | None = None,
                 web_dir: Path | None = None):
        port = free_port()
        self.url = f"http://localhost:{port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "PUBLIC_URL": self.url, "REFLEX_USE_NPM": "1",
                    "FINTOC_SANDBOX": "1",
                    # Every test browser comes from 127.0.0.1: per-address limits would count the suite as one.
                    "LIMIT_ORDERS_PER_IP": "1000", "LIMIT_PENDING_ORDERS_PER_IP": "1000",
                    **(extra_env or {})}
        if web_dir is not None:
            self.env["REFLEX_WEB_WORKDIR"] = str(web_dir)
        for command in ([_tool("reflex"), "db", "migrate"], [sys.executable, "-m", "pepestore.store.seed"]):
            subprocess.run(command, cwd=PROJECT_ROOT, env=self.env, check=True, capture_output=True, timeout=300)
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / log_name
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [_tool("reflex"), "run", "--env", "prod", "--single-port",
             "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=PROJECT_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.pgid = self.process.pid

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (answers(f"{self.url}/ping") and answers(f"{self.url}/")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the store did not start; see {self.log_path}", pytrace=False)
            time.sleep(1)

    def terminate(self, signum: int = signal.SIGTERM) -> float | None:
        """Signal the whole group; seconds until none of its processes is left, or None if some outlived 10 s."""
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signum)
        while time.monotonic() - started < STOP_BOUND_S:
            self.process.poll()  # reap the leader, which is our child
            if not group_members(self.pgid):
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        """SIGTERM, as an operator would. Needing SIGKILL breaks the store's promise: a test failure, not a fallback."""
        try:
            if self.process.poll() is None or group_members(self.pgid):
                if self.terminate() is None:
                    survivors = group_members(self.pgid)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.pgid, signal.SIGKILL)
                    self.process.wait(timeout=10)
                    pytest.fail(f"processes {survivors} of the store were still running {STOP_BOUND_S} s after "
                                f"SIGTERM and had to be killed; see {self.log_path}", pytrace=False)
        finally:
            if not self._log.closed:
                self._log.close()


@contextmanager
def running_store(database_url: str, *, name: str = "browser", extra_env: dict[str, str] | None = None,
                  web_dir: Path | None = None) -> Iterator[str]:
    """Yield the base URL of a store serving database_url; its log is test-artifacts/<name>-server.log."""
    store = Store(database_url, f"{name}-server.log", extra_env=extra_env, web_dir=web_dir)
    try:
        store.wait_until_serving()
        yield store.url
    finally:
        store.stop()
