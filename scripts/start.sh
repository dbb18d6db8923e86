#!/usr/bin/env bash
# Install what the store needs and start it at http://localhost:3000 (SQLite file, seeded catalog, sandbox
# payments). PORT=3900 serves it on another port.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements.txt
export PORT="${PORT:-3000}"
# Checked before the slow frontend build, with .env read: PUBLIC_URL follows PORT, and a newcomer's machine (no
# FINTOC_ variable anywhere, a local address) gets sandbox payments, said loudly. Anything the store cannot run
# with is refused in one line (exit 1): a store that lost its keys never falls back to test payments.
startup="$(python -m pepestore.startup)"
eval "$startup"
source scripts/prepare_db.sh
echo "==> Starting Pepestore at $PUBLIC_URL"
exec reflex run --env prod --single-port --frontend-port "$PORT" --backend-port "$PORT"
