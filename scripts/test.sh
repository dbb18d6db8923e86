#!/usr/bin/env bash
# Install what the tests need (Python packages, Node 22, Chromium) and run every test suite.
# Unit and integration tests run in one pytest process, browser tests in another: Playwright's sync API
# and pytest-asyncio cannot share an event loop.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements-dev.txt

if [ ! -x "${PEPESTORE_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "==> Installing Chromium from Debian (browser tests)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
source scripts/services.sh

status=0
echo "==> Unit and integration tests"
python -m pytest "$@" || status=$?
echo "==> Browser tests (headless Chromium against the production build)"
python -m pytest tests/browser -p no:asyncio -W ignore::pytest.PytestConfigWarning "$@" || status=$?
exit $status
