#!/usr/bin/env bash
# Install what the store needs and start it at http://localhost:3000 (SQLite file, seeded catalog).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements.txt
source scripts/prepare_db.sh
echo "==> Starting Pepestore at http://localhost:3000"
exec reflex run --env prod --single-port --frontend-port "${PORT:-3000}" --backend-port "${PORT:-3000}"
