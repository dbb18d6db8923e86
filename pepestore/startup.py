"""What scripts/start.sh settles before it builds anything: may the store start, and at which address?

`python -m pepestore.startup` prints the PUBLIC_URL the store must run with, or one line saying why it cannot
start (exit 1). The address matters beyond the browser: the sandbox, the widget script and the webhook target
are all built from PUBLIC_URL, so a store served on one port and configured for another cannot take a payment.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from pepestore.settings import SettingsError, load_settings, read_environment

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


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


def main() -> int:
    try:
        print(start_address(read_environment()))
    except SettingsError as refusal:
        print(f"pepestore: refusing to start: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
