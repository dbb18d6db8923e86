# Sourced by start.sh and test.sh: a virtualenv with the given requirements, and Node 22 for Reflex's frontend.
# Idempotent and quiet when everything is already in place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUIREMENTS="${1:-requirements.txt}"

if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv"
    python3 -m venv .venv
fi
stamp=".venv/.installed-$(cat "$REQUIREMENTS" requirements.txt | sha1sum | cut -c1-12)-$(basename "$REQUIREMENTS")"
if [ ! -f "$stamp" ]; then
    echo "==> Installing Python packages from $REQUIREMENTS"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$REQUIREMENTS"
    touch "$stamp"
fi

# Reflex 0.10 needs Node >= 22.22; Debian ships 20, so Node 22 comes from the npm registry as a package.
NODE_DIR="$ROOT/.tools/node"
if [ ! -x "$NODE_DIR/node_modules/.bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "==> Installing npm from Debian (needed once, to fetch Node 22)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
    echo "==> Installing Node 22 into .tools/node"
    npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" node@22 >/dev/null
fi

export PATH="$NODE_DIR/node_modules/.bin:$ROOT/.venv/bin:$PATH"
# Without this Reflex tries to download bun from the web, which these machines cannot reach.
export REFLEX_USE_NPM=1
export REFLEX_TELEMETRY_ENABLED=false
