"""bench/backoffice.py still runs against the code it measures.

The bench calls the back office's services and handlers directly; when their signatures changed (the services
took a session, pepestore.db.run_in_session), it died with a TypeError and nothing noticed until someone ran it.
This runs it on a small, throw-away PostgreSQL database, as it would run for the README's figures.
"""

import subprocess
import sys

from sqlalchemy import create_engine, text

from pepestore.settings import PROJECT_ROOT
from tests.conftest import POSTGRES_ADMIN_URL, service_unavailable

OPERATIONS = ("list: first page", "search: part of an email", "dashboard (service)",
              "order detail + timeline (service)", "OrderListState.load: first page (handler + delta)",
              "DashboardState.load (handler + delta)", "OrderDetailState.load (handler + delta)")


def test_backoffice_bench_measures_every_operation():
    admin = create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        service_unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}")
    finally:
        admin.dispose()

    run = subprocess.run([sys.executable, "bench/backoffice.py", "--orders", "300", "--runs", "2",
                          "--admin-url", POSTGRES_ADMIN_URL],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    for operation in OPERATIONS:
        assert operation in run.stdout, f"{operation!r} missing from:\n{run.stdout}"
    assert "Every operation is within 300 ms at p95." in run.stdout
    assert "dropped pepestore_bench_" in run.stdout
