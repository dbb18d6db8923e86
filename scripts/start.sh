#!/usr/bin/env bash
# Install what the store needs and start it at http://localhost:3000 (SQLite file, seeded catalog, sandbox
# payments). PORT=3900 serves it on another port.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements.txt
# A newcomer has no Fintoc keys: payments go to the built-in sandbox, asked for explicitly (the store refuses to
# start with neither keys nor FINTOC_SANDBOX=1). With keys in the environment or .env, they are used instead.
if [ -z "${FINTOC_SECRET_KEY:-}" ] && ! grep -qsE '^[[:space:]]*(export[[:space:]]+)?FINTOC_SECRET_KEY=.' .env; then
    export FINTOC_SANDBOX="${FINTOC_SANDBOX:-1}"
fi
export PORT="${PORT:-3000}"
# Checked before the slow frontend build: refuses (one line, exit 1) a configuration the store cannot run with.
PUBLIC_URL="$(python -m pepestore.startup)"
export PUBLIC_URL
source scripts/prepare_db.sh
echo "==> Starting Pepestore at $PUBLIC_URL"
exec reflex run --env prod --single-port --frontend-port "$PORT" --backend-port "$PORT"
