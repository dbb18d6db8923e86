#!/usr/bin/env bash
# The whole production topology on one machine: PostgreSQL, Redis, N app instances, nginx in front.
#
#   bash deploy/topology.sh up [N]        start (default N=2), seeded, at http://localhost:${NGINX_PORT:-8080}
#   bash deploy/topology.sh down          stop the instances and nginx (PostgreSQL and Redis keep running)
#   bash deploy/topology.sh stop-instance I   stop instance I (1-based), e.g. to watch failover
#   bash deploy/topology.sh start-instance I  start it again
#   bash deploy/topology.sh status        what is running
#
# Environment: DATABASE_URL (default: database 'pepestore' on the local PostgreSQL), REDIS_URL (default local),
# NGINX_PORT (8080), BACKEND_BASE_PORT (8100: instance I listens on BASE+I), PUBLIC_URL (http://localhost:NGINX_PORT).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
RUN="${PEPESTORE_RUN_DIR:-$HERE/run}"
NGINX_PORT="${NGINX_PORT:-8080}"
BACKEND_BASE_PORT="${BACKEND_BASE_PORT:-8100}"

# An instance leads its own process group (setsid below): it is stopped when no process of that group is left.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# SIGTERM, then up to 10 s for every process of the instance to exit (the store guarantees it). A SIGKILL is
# only a last resort and is reported as a failure: it means the clean-shutdown promise was broken.
stop_pidfile() {
    local file="$1"
    [ -f "$file" ] || return 0
    local pid; pid="$(cat "$file")"
    local status=0
    if group_alive "$pid"; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do group_alive "$pid" || break; sleep 0.2; done
        if group_alive "$pid"; then
            echo "!! $(basename "$file" .pid) (process group $pid) was still running 10 s after SIGTERM; killed" >&2
            kill -KILL -- "-$pid" 2>/dev/null || true
            status=1
        fi
    fi
    rm -f "$file"
    return "$status"
}

down() {
    local status=0
    if [ -f "$RUN/nginx.pid" ]; then
        nginx -p "$RUN" -c "$RUN/nginx.conf" -s quit 2>/dev/null || true
        for _ in $(seq 1 25); do [ -f "$RUN/nginx.pid" ] || break; sleep 0.2; done
    fi
    for file in "$RUN"/instance-*.pid; do stop_pidfile "$file" || status=1; done
    echo "==> Topology stopped"
    return "$status"
}

configure() {
    export PUBLIC_URL="${PUBLIC_URL:-http://localhost:$NGINX_PORT}"
    export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/pepestore}"
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
    # Sandbox payments only on a test bed this machine alone reaches with no FINTOC_ variable set anywhere; a
    # public PUBLIC_URL without keys is refused (pepestore/startup.py).
    local startup
    startup="$(cd "$ROOT" && python -m pepestore.startup --sandbox-only)" || exit 1
    eval "$startup"
    # nginx is one proxy hop: the shopper's address (for per-IP limits) is the last X-Forwarded-For entry.
    export TRUSTED_PROXY_HOPS="${TRUSTED_PROXY_HOPS:-1}"
    # The browser reaches the backend through nginx, at the same origin as the pages.
    export REFLEX_API_URL="$PUBLIC_URL"
    # One process per instance: N instances is N workers, which is what the load balancer spreads over.
    export GRANIAN_WORKERS="${GRANIAN_WORKERS:-1}"
}

start_instance() {  # start_instance I
    local port=$((BACKEND_BASE_PORT + $1))
    echo "==> Starting instance $1 on 127.0.0.1:$port"
    cd "$ROOT"
    # setsid: the instance leads its own process group, so stopping it stops its workers too.
    setsid reflex run --env prod --backend-only --backend-port "$port" --backend-host 127.0.0.1 \
        </dev/null >>"$RUN/instance-$1.log" 2>&1 &
    echo $! >"$RUN/instance-$1.pid"
}

wait_http() {  # wait_http URL SECONDS
    for _ in $(seq 1 "$2"); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 1
    done
    echo "!! $1 did not answer" >&2
    return 1
}

up() {
    local count="${1:-2}"
    source "$ROOT/scripts/bootstrap.sh" requirements.txt
    source "$ROOT/scripts/services.sh"
    if ! command -v nginx >/dev/null 2>&1; then
        echo "==> Installing nginx from Debian"
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
    fi
    down >/dev/null || true  # leftovers of an earlier run; a failure to stop them was reported
    mkdir -p "$RUN"

    configure

    python - <<'PY'
import os
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(os.environ["DATABASE_URL"])
if url.get_backend_name() == "postgresql":
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first():
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
            print(f"==> Created database {url.database}")
    admin.dispose()
PY
    source "$ROOT/scripts/prepare_db.sh"

    echo "==> Building the static frontend"
    reflex export --frontend-only --no-zip --loglevel warning >"$RUN/export.log" 2>&1
    rm -rf "$RUN/static" && cp -r "$ROOT/.web/build/client" "$RUN/static"

    local upstreams=()
    for i in $(seq 1 "$count"); do
        : >"$RUN/instance-$i.log"
        start_instance "$i"
        upstreams+=("127.0.0.1:$((BACKEND_BASE_PORT + i))")
    done
    for i in $(seq 1 "$count"); do wait_http "http://127.0.0.1:$((BACKEND_BASE_PORT + i))/ping" 120; done

    # The same security headers the app sends, and /sandbox/ routed only when the store runs the sandbox.
    python -m pepestore.nginx_config "$HERE/nginx.conf.template" "$RUN/nginx.conf" "$RUN" "$RUN/static" \
        "$NGINX_PORT" "${upstreams[@]}"
    # nginx's own daemon keeps the descriptors it started with: give it files, never the caller's pipes.
    nginx -p "$RUN" -c "$RUN/nginx.conf" </dev/null >"$RUN/nginx-start.log" 2>&1 || { cat "$RUN/nginx-start.log" >&2; exit 1; }
    wait_http "http://127.0.0.1:$NGINX_PORT/health" 30
    echo "==> Pepestore: $PUBLIC_URL ($count instances behind nginx; health at $PUBLIC_URL/health)"
}

status() {
    for file in "$RUN"/instance-*.pid; do
        [ -f "$file" ] || continue
        local pid; pid="$(cat "$file")"
        group_alive "$pid" && echo "$(basename "$file" .pid): running (pid $pid)" \
            || echo "$(basename "$file" .pid): stopped"
    done
    [ -f "$RUN/nginx.pid" ] && echo "nginx: running on :$NGINX_PORT" || echo "nginx: stopped"
}

case "${1:-}" in
    up) up "${2:-2}" ;;
    down) down ;;
    stop-instance) stop_pidfile "$RUN/instance-${2:?instance number}.pid"; echo "==> Instance $2 stopped" ;;
    start-instance)
        source "$ROOT/scripts/bootstrap.sh" requirements.txt >/dev/null
        configure
        start_instance "${2:?instance number}"
        wait_http "http://127.0.0.1:$((BACKEND_BASE_PORT + $2))/ping" 120 ;;
    status) status ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
esac
