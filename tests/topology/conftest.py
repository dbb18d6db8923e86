"""The production topology (PostgreSQL, Redis, two app instances, nginx) brought up by deploy/topology.sh.

Run on their own: `pytest tests/topology -p no:asyncio`. Needs PostgreSQL, Redis, nginx and Chromium.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pepestore.settings import PROJECT_ROOT
from tests.browser.conftest import browser, context, page, pytest_runtest_makereport  # noqa: F401 - reused
from tests.conftest import POSTGRES_ADMIN_URL, service_unavailable

SCRIPT = PROJECT_ROOT / "deploy" / "topology.sh"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_block() -> int:
    """A base port B with B+1 and B+2 free (instance I listens on B+I)."""
    for _ in range(200):
        base = random.randint(20000, 40000)
        if _port_free(base + 1) and _port_free(base + 2):
            return base
    raise RuntimeError("no free ports")


def _run_dir() -> Path:
    run = PROJECT_ROOT / "test-artifacts" / f"topology-run-{uuid.uuid4().hex[:6]}"
    run.mkdir(parents=True)
    return run


@dataclass
class Topology:
    url: str
    instance_urls: list[str]
    database_url: str
    env: dict
    baseline_overrides: dict = field(default_factory=dict)

    def run(self, *args: str) -> None:
        _script(args, self.env, timeout=300)


def _script(args, env: dict, timeout: int) -> None:
    """Run deploy/topology.sh with its output in a file: the servers it starts outlive it, and would hold a
    pipe open forever."""
    log_path = Path(env["PEPESTORE_RUN_DIR"]) / "script.log"
    with open(log_path, "a") as log:
        result = subprocess.run(["bash", str(SCRIPT), *args], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"deploy/topology.sh {' '.join(args)} failed:\n{log_path.read_text()[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def topology(tmp_path_factory):
    if not shutil.which("nginx"):
        service_unavailable("nginx is not installed (apt-get install nginx-light)")
    admin_url = make_url(POSTGRES_ADMIN_URL)
    database = f"pepestore_topology_{uuid.uuid4().hex[:8]}"
    database_url = admin_url.set(database=database).render_as_string(hide_password=False)
    nginx_port, base = _free_block() + 3, _free_block()
    while not _port_free(nginx_port):
        nginx_port += 1
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("PEPESTORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7"),
        "NGINX_PORT": str(nginx_port),
        "BACKEND_BASE_PORT": str(base),
        "PUBLIC_URL": f"http://localhost:{nginx_port}",
        # Under the project, not /tmp/pytest-of-root (mode 700): nginx's workers must be able to read the pages.
        "PEPESTORE_RUN_DIR": str(_run_dir()),
        "RECONCILE_AFTER_SECONDS": "60",
        "FINTOC_SANDBOX": "1",
        # Every browser here comes from 127.0.0.1: per-address limits would count all the tests as one shopper.
        # The per-browser limit stays low, for the test that proves it is shared by both instances.
        "LIMIT_ORDERS_PER_IP": "1000", "LIMIT_PENDING_ORDERS_PER_IP": "1000", "LIMIT_ORDERS_PER_BROWSER": "3",
    }
    env.pop("REFLEX_API_URL", None)
    topology = Topology(f"http://localhost:{nginx_port}", [f"http://127.0.0.1:{base + i}" for i in (1, 2)],
                        database_url, env)
    try:
        _script(["up", "2"], env, timeout=900)
        yield topology
    finally:
        _script(["down"], env, timeout=120)
        shutil.rmtree(Path(env["PEPESTORE_RUN_DIR"]) / "static", ignore_errors=True)  # keep only the logs
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store_url(topology):
    """What the browser fixtures reused from tests/browser call the store's address."""
    return topology.url
