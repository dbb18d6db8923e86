"""What scripts/start.sh settles before it builds anything: may the store start, and at which address?

`eval "$(python -m pepestore.startup)"` sets PUBLIC_URL (and FINTOC_SANDBOX=1 on a newcomer's machine), or the
command prints one line saying why the store cannot start (exit 1). `--sandbox-only` settles just the sandbox
(deploy/topology.sh chooses its own address). The address matters beyond the browser: the sandbox, the widget script and the webhook target
are all built from PUBLIC_URL, so a store served on one port and configured for another cannot take a payment.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from pepestore.settings import FINTOC_KEY_VARIABLES, SettingsError, load_settings, read_environment

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


SANDBOX_NOTICE = ("==> SANDBOX PAYMENTS: no Fintoc keys are configured, so payments go to the built-in sandbox "
                  "(test banks, no real money). Real payments: set FINTOC_SECRET_KEY, FINTOC_PUBLIC_KEY and "
                  "FINTOC_WEBHOOK_SECRET.")


def sandbox_by_default(env: Mapping[str, str]) -> bool:
    """A newcomer's machine gets the sandbox without asking: nothing about payments is configured anywhere (the
    environment or .env) and only this machine can reach the store. A store with a public address, or whose
    operator wrote any FINTOC_ variable (FINTOC_SANDBOX=0 too), fails closed instead."""
    if "FINTOC_SANDBOX" in env or any(env.get(name) for name in FINTOC_KEY_VARIABLES):
        return False
    public = env.get("PUBLIC_URL") or "http://localhost"
    return urlsplit(public).hostname in LOCAL_HOSTS


def start_address(env: Mapping[str, str]) -> str:
    """PUBLIC_URL for a single-port start on PORT: derived from PORT when unset, refused when they disagree."""
    raw_port = (env.get("PORT") or "3000").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise SettingsError(f"PORT must be a port number, got {raw_port!r}")
    port = int(raw_port)
    resolved = dict(env)
    if not env.get("PUBLIC_URL"):
        resolved["PUBLIC_URL"] = f"http://localhost:{port}"
    settings = load_settings(resolved)  # refuses a store without a payments choice, too
    parts = urlsplit(settings.public_url)
    public_port = parts.port or (443 if parts.scheme == "https" else 80)
    # Behind a proxy PUBLIC_URL names the proxy, and any PORT is right; on this machine the two must agree.
    if parts.hostname in LOCAL_HOSTS and public_port != port:
        raise SettingsError(f"PUBLIC_URL is {settings.public_url} but PORT is {port}: payments would be sent "
                            f"to the wrong address; unset PUBLIC_URL or make the two agree")
    return settings.public_url


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    env = read_environment()
    exports = {}
    if sandbox_by_default(env):
        exports["FINTOC_SANDBOX"] = env["FINTOC_SANDBOX"] = "1"
        print(SANDBOX_NOTICE, file=sys.stderr)
    try:
        if "--sandbox-only" in args:
            load_settings(env)
        else:
            exports["PUBLIC_URL"] = start_address(env)
    except SettingsError as refusal:
        print(f"pepestore: refusing to start: {refusal}", file=sys.stderr)
        return 1
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
