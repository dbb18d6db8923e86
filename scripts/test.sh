#!/usr/bin/env bash
# Install what the tests need (Python packages, Node 22, Chromium) and run every test suite.
# Unit and integration tests run in one pytest process, browser tests in another and topology tests (nginx in
# front of two instances, PostgreSQL, Redis) in a third: Playwright's sync API and pytest-asyncio cannot share an
# event loop, and the topology exports its own frontend build.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" requirements-dev.txt

missing=()
[ -x "${PEPESTORE_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)   # browser tests
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)                 # topology tests
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> Installing ${missing[*]} from Debian"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
source scripts/services.sh

status=0
echo "==> Unit and integration tests"
python -m pytest "$@" || status=$?
echo "==> Browser tests (headless Chromium against the production build)"
python -m pytest tests/browser -p no:asyncio -W ignore::pytest.PytestConfigWarning "$@" || status=$?
echo "==> Topology tests (PostgreSQL, Redis, two instances behind nginx)"
python -m pytest tests/topology -p no:asyncio -W ignore::pytest.PytestConfigWarning "$@" || status=$?
exit $status
