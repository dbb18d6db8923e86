"""Render deploy/nginx.conf.template for the store's settings: the same security headers the app sends, the
Fintoc sandbox routed only when the store runs it, and the per-address limits on /_event and /payments/.

    python -m pepestore.nginx_config TEMPLATE OUT RUN_DIR STATIC_DIR PORT UPSTREAM [UPSTREAM ...]

Template placeholders: @RUN@ @STATIC@ @PORT@ @UPSTREAMS@, the per-address limits on the event websocket and on
Fintoc's webhooks @EVENT_RATE@ @EVENT_BURST@ @EVENT_CONNECTIONS@ @PAYMENTS_RATE@ @PAYMENTS_BURST@
@PAYMENTS_CONNECTIONS@ (the NGINX_EVENT_* and NGINX_PAYMENTS_* settings), and on lines of their own
@SECURITY_HEADERS@ and @HIDE_APP_HEADERS@; lines between `# @IF_SANDBOX@`, `# @ELSE@` and `# @END_IF@` choose the
sandbox's location.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pepestore.security_headers import security_headers
from pepestore.settings import NGINX_MAX_CONNECTIONS, Settings, get_settings

INDENT = " " * 8


def _quoted(value: str) -> str:
    # nginx would expand $names and end the string at a quote; the policy never needs either.
    if any(c in value for c in '$"\\\n'):
        raise ValueError(f"header value not safe for nginx: {value!r}")
    return f'"{value}"'


def header_lines(settings: Settings) -> list[str]:
    # `always`: on error pages (404, 429, 502) too, not only on 2xx/3xx.
    return [f"{INDENT}add_header {name} {_quoted(value)} always;" for name, value in security_headers(settings).items()]


def hide_lines(settings: Settings) -> list[str]:
    return [f"{INDENT}proxy_hide_header {name};" for name in security_headers(settings)]


def _choose_sandbox_block(lines: list[str], sandbox: bool) -> list[str]:
    kept, branch = [], None  # None: outside the block; True/False: inside the sandbox / the no-sandbox branch
    for line in lines:
        marker = line.strip()
        if marker.startswith("# @IF_SANDBOX@"):
            branch = True
        elif marker.startswith("# @ELSE@") and branch is not None:
            branch = False
        elif marker.startswith("# @END_IF@") and branch is not None:
            branch = None
        elif branch is None or branch == sandbox:
            kept.append(line)
    if branch is not None:
        raise ValueError("@IF_SANDBOX@ block is not closed with @END_IF@")
    return kept


def _limit(name: str, value: object, most: int | None = None) -> str:
    # load_settings() already refuses anything else; this guards a Settings built by hand.
    if type(value) is not int or value <= 0 or (most is not None and value > most):
        bound = f" at most {most}" if most is not None else ""
        raise ValueError(f"{name} must be a positive whole number{bound}, got {value!r}")
    return str(value)


def render(template: str, *, run_dir: str, static_dir: str, port: int, upstreams: list[str],
           settings: Settings) -> str:
    if not upstreams:
        raise ValueError("at least one upstream instance is needed")
    lines = []
    for line in _choose_sandbox_block(template.splitlines(), settings.fintoc_sandbox):
        if line.strip() == "@SECURITY_HEADERS@":
            lines.extend(header_lines(settings))
        elif line.strip() == "@HIDE_APP_HEADERS@":
            lines.extend(hide_lines(settings))
        elif line.strip() == "@UPSTREAMS@":
            # max_fails=0: never mark an instance down. A stopped instance refuses connections, which fails over
            # to the next one at once; marking lets a restart blip mark every instance down ("no live upstreams").
            lines.extend(f"{INDENT}server {address} max_fails=0;" for address in upstreams)
        else:
            lines.append(line)
    text = "\n".join(lines) + "\n"
    values = {"@RUN@": run_dir, "@STATIC@": static_dir, "@PORT@": str(port)}
    for route in ("event", "payments"):
        for kind, most in (("rate", None), ("burst", None), ("connections", NGINX_MAX_CONNECTIONS)):
            name = f"nginx_{route}_{kind}"
            values[f"@{route.upper()}_{kind.upper()}@"] = _limit(name, getattr(settings, name), most)
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def main(argv: list[str]) -> None:
    template, out, run_dir, static_dir, port, *upstreams = argv
    Path(out).write_text(render(Path(template).read_text(), run_dir=run_dir, static_dir=static_dir, port=int(port),
                                upstreams=upstreams, settings=get_settings()))


if __name__ == "__main__":
    main(sys.argv[1:])
