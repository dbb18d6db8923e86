#!/usr/bin/env bash
# Benchmark the production topology with one, then two app instances behind nginx, on a fresh database.
#   bash bench/topology.sh [SHOPPERS=60] [CONCURRENCY=20] [WARMUP=0]
# WARMUP shoppers go first in each phase and are not counted (each phase starts fresh instances, whose first
# purchases take more CPU than later ones); the default, 0, measures from that cold start, as the figures in README do.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh bench/requirements.txt
SHOPPERS="${1:-60}"
CONCURRENCY="${2:-20}"
WARMUP="${3:-0}"
export NGINX_PORT="${NGINX_PORT:-8080}"
export DATABASE_URL="${BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/pepestore_bench}"
export RECONCILE_AFTER_SECONDS=600   # keep the reconciler out of the measurement
# Every simulated shopper comes from this machine's one address: lift the per-address limits for the run
# (per-browser limits still apply, and each shopper is its own browser).
export LIMIT_ORDERS_PER_IP=1000000 LIMIT_PENDING_ORDERS_PER_IP=1000000
# nginx's per-address limits count every shopper as one sender too: on /payments/ (10 webhooks/s, 100 waiting)
# they capped purchases/s near 10 whatever the instances could do, and on /_event (10 handshakes/s, burst 50) they
# refuse shoppers' websockets once a run outpaces them. Lifted for this run only (deploy/topology.sh renders the
# nginx config from these settings); production keeps the defaults.
export NGINX_PAYMENTS_RATE=100000 NGINX_PAYMENTS_BURST=100000 NGINX_PAYMENTS_CONNECTIONS=60000
export NGINX_EVENT_RATE=100000 NGINX_EVENT_BURST=100000 NGINX_EVENT_CONNECTIONS=60000

for instances in 1 2; do
    python - <<'PY'
import os
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(os.environ["DATABASE_URL"])
admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
admin.dispose()
PY
    bash deploy/topology.sh up "$instances" >/dev/null
    python bench/shoppers.py --url "http://localhost:$NGINX_PORT" --database-url "$DATABASE_URL" \
        --shoppers "$SHOPPERS" --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
        --label "$instances instance(s) behind nginx"
done
bash deploy/topology.sh down >/dev/null
