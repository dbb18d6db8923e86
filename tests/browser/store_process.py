"""Start the real store (production build, single port, migrated and seeded database) as its own process."""

from __future__ import annotations

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


@contextmanager
def running_store(database_url: str, *, name: str = "browser", extra_env: dict[str, str] | None = None,
                  web_dir: Path | None = None) -> Iterator[str]:
    """Yield the base URL of a store serving database_url; its log is test-artifacts/<name>-server.log.

    The production build bakes the server's port into the frontend it writes to `.web/`: a second store running
    alongside another needs its own web_dir, or each rebuild would point the other's pages at the wrong port.
    """
    port = free_port()
    base = f"http://localhost:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "PUBLIC_URL": base, "REFLEX_USE_NPM": "1",
           "FINTOC_SANDBOX": "1",
           # Every test browser comes from 127.0.0.1: per-address limits would count the whole suite as one shopper.
           "LIMIT_ORDERS_PER_IP": "1000", "LIMIT_PENDING_ORDERS_PER_IP": "1000",
           **(extra_env or {})}
    if web_dir is not None:
        env["REFLEX_WEB_WORKDIR"] = str(web_dir)
    for command in ([_tool("reflex"), "db", "migrate"], [sys.executable, "-m", "pepestore.store.seed"]):
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=300)
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{name}-server.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [_tool("reflex"), "run", "--env", "prod", "--single-port",
         "--frontend-port", str(port), "--backend-port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (answers(f"{base}/ping") and answers(f"{base}/")):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the store did not start; see {log_path}", pytrace=False)
            time.sleep(1)
        yield base
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()
