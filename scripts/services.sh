# Sourced by test.sh: make sure the PostgreSQL and Redis the integration tests use are answering,
# starting the machine's own servers when they are installed but stopped.

wait_for() {  # wait_for NAME COMMAND...
    local name="$1"; shift
    for _ in $(seq 1 30); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    echo "!! $name did not come up" >&2
    return 1
}

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        echo "==> Starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
        wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432 || true
    fi
fi

if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    if command -v redis-server >/dev/null 2>&1; then
        echo "==> Starting Redis"
        mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/pepestore-tests.log || true
        wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping || true
    fi
fi
