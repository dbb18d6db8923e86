"""The one place that reads configuration: the environment, with `.env` loaded first if present.

Everything else asks `get_settings()`; nothing else touches `os.environ`.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit, urlunsplit

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "pepestore.db"


class SettingsError(ValueError):
    """Configuration the store refuses to start with; its message is one line naming the way out."""


FINTOC_KEY_VARIABLES = ("FINTOC_SECRET_KEY", "FINTOC_PUBLIC_KEY", "FINTOC_WEBHOOK_SECRET")
NO_PAYMENTS_CONFIGURED = (
    "payments are not configured: set FINTOC_SECRET_KEY, FINTOC_PUBLIC_KEY and FINTOC_WEBHOOK_SECRET to take real "
    "payments, or FINTOC_SANDBOX=1 to run the built-in Fintoc sandbox (test banks, no real money)"
)
NO_MAIL_CONFIGURED = (
    "emails are not configured: set SMTP_URL and MAIL_FROM to send receipts and order updates, or MAIL_DISABLED=1 "
    "to run without emails"
)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def redact_url(url: str | None) -> str | None:
    """The URL with everything before the last '@' of its address hidden, for logs, reprs and error messages.

    Found by hand, not by urlsplit: a password with an unencoded '#', '?' or '/' ends urlsplit's netloc early, and
    the password would then be printed whole."""
    if not url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0] if ":" in credentials else credentials
    user = user if not any(ch in user for ch in "/?#") else "***"
    return f"{scheme}://{user}:***@{host}"


@dataclass(frozen=True)
class SmtpTransport:
    """Where and how mail goes, from SMTP_URL. tls: "implicit" (smtps://, 465), "starttls" (smtp:// with
    credentials, 587: a password never crosses in clear) or "none" (smtp://host:port without credentials, a local
    relay)."""

    host: str
    port: int
    tls: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}$")


def parse_smtp_url(url: str) -> SmtpTransport:
    credentials = url.split("://", 1)[-1].rpartition("@")[0]
    if any(ch in credentials for ch in "/?#"):
        # Said without the URL: it holds the password.
        raise SettingsError("SMTP_URL: percent-encode the user name and password (write # ? / @ as %23 %3F %2F %40)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SettingsError(f"SMTP_URL {redact_url(url)!r} has a port that is not a number") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError(f"SMTP_URL must look like smtp://user:pass@host:587, smtps://user:pass@host:465 or "
                            f"smtp://host:25, got {redact_url(url)!r}")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if parts.scheme == "smtps":
        return SmtpTransport(parts.hostname, port or 465, "implicit", username, password)
    if username or password:
        return SmtpTransport(parts.hostname, port or 587, "starttls", username, password)
    return SmtpTransport(parts.hostname, port or 25, "none")


def check_mail_address(name: str, raw: str) -> str:
    """An address for a From/Reply-To header: one address, optionally with a display name, no header tricks."""
    if any(ch in raw for ch in "\r\n\0"):
        raise SettingsError(f"{name} must be one line")
    display, address = parseaddr(raw)
    if not _ADDRESS.match(address) or "," in raw or raw.count("@") != 1:
        raise SettingsError(f"{name} must be one email address, like 'Pepestore <hola@pepestore.cl>', got {raw!r}")
    return raw.strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    public_url: str
    cart_max_line_quantity: int
    order_ttl_minutes: int = 30
    reconcile_interval_seconds: int = 30
    reconcile_after_seconds: int = 60
    # Bounds on database waits (see pepestore/db.py); the lock timeout is also SQLite's busy timeout.
    db_statement_timeout_seconds: int = 10
    db_lock_timeout_seconds: int = 5
    # Fintoc: real keys, or the built-in sandbox when FINTOC_SANDBOX=1 (never both, never neither).
    fintoc_sandbox: bool = False
    fintoc_secret_key: str | None = field(default=None, repr=False)
    fintoc_public_key: str | None = None
    fintoc_webhook_secret: str | None = field(default=None, repr=False)
    fintoc_api_url: str = "https://api.fintoc.com"
    fintoc_widget_url: str = "https://js.fintoc.com/v1/"
    # Reverse proxies in front of the store (nginx: 1), so the shopper's address is read from X-Forwarded-For.
    trusted_proxy_hops: int = 0
    # Abuse limits (shared through Redis when REDIS_URL is set, per process otherwise).
    orders_per_browser: int = 5
    orders_per_ip: int = 5
    orders_window_seconds: int = 600
    pending_orders_per_ip: int = 3
    events_per_second: int = 20
    # nginx's per-address limits, written into deploy/nginx.conf.template by pepestore/nginx_config.py. /_event
    # (websocket handshakes): per second, a burst answered at once beyond that, sockets open at once. /payments/
    # (Fintoc's webhooks): per second, how many more wait their turn, connections open at once.
    nginx_event_rate: int = 10
    nginx_event_burst: int = 50
    nginx_event_connections: int = 50
    nginx_payments_rate: int = 10
    nginx_payments_burst: int = 100
    nginx_payments_connections: int = 20
    # Origins besides PUBLIC_URL's whose pages may open the event websocket (e.g. a second domain).
    extra_origins: tuple[str, ...] = ()
    # Shows /health's commit and versions to a caller presenting it; unset, nobody sees them.
    health_token: str | None = field(default=None, repr=False)
    # Email: SMTP_URL's password is redacted in the repr; MAIL_DISABLED=1 sends nothing (rows wait in the outbox).
    smtp_url: str | None = None
    mail_from: str | None = None
    mail_reply_to: str | None = None
    mail_disabled: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def __repr__(self) -> str:
        # Secrets never reach a log line or a traceback: URLs lose their passwords, keys are left out.
        shown = []
        for item in fields(self):
            if not item.repr:
                continue
            value = getattr(self, item.name)
            if item.name in ("database_url", "redis_url", "smtp_url"):
                value = redact_url(value)
            shown.append(f"{item.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def smtp(self) -> SmtpTransport | None:
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def mail_mode(self) -> str:
        """"smtp": send; "keep": sandbox without SMTP_URL, shown at /sandbox/mail; "off": MAIL_DISABLED=1."""
        if self.mail_disabled:
            return "off"
        return "smtp" if self.smtp_url else "keep"

    @property
    def mail_sender(self) -> str:
        """The From header: MAIL_FROM, or (kept sandbox mail only) a name at PUBLIC_URL's host."""
        return self.mail_from or f"Pepestore <store@{urlsplit(self.public_url).hostname}>"

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The origins whose pages may drive the store over its event websocket."""
        origins = [origin_of(self.public_url), *self.extra_origins]
        parts = urlsplit(self.public_url)
        if parts.hostname == "localhost":
            # A developer opening http://127.0.0.1:3000 is the same machine, not another site.
            port = f":{parts.port}" if parts.port else ""
            origins += [f"{parts.scheme}://127.0.0.1{port}", f"{parts.scheme}://[::1]{port}"]
        return tuple(dict.fromkeys(origins))


def _normalise_database_url(url: str) -> str:
    # Hosting providers hand out postgres:// URLs; SQLAlchemy needs a driver name, and we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def origin_of(url: str) -> str:
    """The origin a browser sends for pages at url: scheme and host, and the port only when not the default."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{url!r} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"{url!r} has a port that is not a number") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _flag(name: str, raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")


def _check_payments(env: dict[str, str]) -> bool:
    """Fail closed: the sandbox only when asked for, real keys complete, never both. True means sandbox."""
    sandbox = _flag("FINTOC_SANDBOX", env.get("FINTOC_SANDBOX"))
    present = [name for name in FINTOC_KEY_VARIABLES if env.get(name)]
    if sandbox and present:
        raise SettingsError(f"FINTOC_SANDBOX=1 and {', '.join(present)} are both set: choose real Fintoc keys or "
                            "the sandbox, not both")
    if sandbox:
        return True
    if not present:
        raise SettingsError(NO_PAYMENTS_CONFIGURED)
    missing = [name for name in FINTOC_KEY_VARIABLES if not env.get(name)]
    if missing:
        raise SettingsError(f"{', '.join(missing)} missing: real Fintoc payments need FINTOC_SECRET_KEY, "
                            "FINTOC_PUBLIC_KEY and FINTOC_WEBHOOK_SECRET")
    return False


def _mail(env: dict[str, str], sandbox: bool) -> dict:
    """SMTP_URL and MAIL_FROM together and valid; real payments never run without emails unless told to."""
    disabled = _flag("MAIL_DISABLED", env.get("MAIL_DISABLED"))
    smtp_url = (env.get("SMTP_URL") or "").strip() or None
    mail_from = (env.get("MAIL_FROM") or "").strip() or None
    reply_to = (env.get("MAIL_REPLY_TO") or "").strip() or None
    if smtp_url:
        parse_smtp_url(smtp_url)
        if not mail_from:
            raise SettingsError("MAIL_FROM missing: SMTP_URL needs the address emails come from, like "
                                "'Pepestore <hola@pepestore.cl>'")
    elif not sandbox and not disabled:
        raise SettingsError(NO_MAIL_CONFIGURED)
    return dict(smtp_url=smtp_url, mail_disabled=disabled,
                mail_from=check_mail_address("MAIL_FROM", mail_from) if mail_from else None,
                mail_reply_to=check_mail_address("MAIL_REPLY_TO", reply_to) if reply_to else None)


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


NGINX_MAX_CONNECTIONS = 65535  # nginx refuses to start with a larger limit_conn


def _nginx_connections(name: str, raw: str) -> int:
    value = _positive_int(name, raw)
    if value > NGINX_MAX_CONNECTIONS:
        raise SettingsError(f"{name} must be at most {NGINX_MAX_CONNECTIONS}, got {value}")
    return value


def _whole(name: str, raw: str) -> int:
    return 0 if raw.strip() == "0" else _positive_int(name, raw)


def _order_ttl(settings: Settings) -> Settings:
    # Fintoc refuses a checkout session that expires less than 10 minutes ahead; leave room for the round trip.
    if settings.order_ttl_minutes < 15:
        raise SettingsError("ORDER_TTL_MINUTES must be at least 15 (Fintoc needs sessions 10+ minutes long)")
    return settings


def read_environment() -> dict[str, str]:
    """The process environment with `.env` beneath it (a variable set in the environment wins)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return dict(os.environ)


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from a mapping (tests) or from the process environment plus `.env`.

    Raises SettingsError, with a one-line message, for a configuration the store must not start with.
    """
    if env is None:
        env = read_environment()
    sandbox = _check_payments(env)
    public_url = (env.get("PUBLIC_URL") or "http://localhost:3000").rstrip("/")
    origin_of(public_url)
    extra_origins = tuple(origin_of(raw.strip()) for raw in (env.get("EXTRA_ORIGINS") or "").split(",")
                          if raw.strip())
    database_url = env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    return _order_ttl(Settings(
        database_url=_normalise_database_url(database_url),
        redis_url=env.get("REDIS_URL") or None,
        public_url=public_url,
        cart_max_line_quantity=_positive_int(
            "CART_MAX_LINE_QUANTITY", env.get("CART_MAX_LINE_QUANTITY", "20")
        ),
        order_ttl_minutes=_positive_int("ORDER_TTL_MINUTES", env.get("ORDER_TTL_MINUTES", "30")),
        reconcile_interval_seconds=_positive_int(
            "RECONCILE_INTERVAL_SECONDS", env.get("RECONCILE_INTERVAL_SECONDS", "30")
        ),
        reconcile_after_seconds=_positive_int("RECONCILE_AFTER_SECONDS", env.get("RECONCILE_AFTER_SECONDS", "60")),
        db_statement_timeout_seconds=_positive_int(
            "DB_STATEMENT_TIMEOUT_SECONDS", env.get("DB_STATEMENT_TIMEOUT_SECONDS", "10")
        ),
        db_lock_timeout_seconds=_positive_int("DB_LOCK_TIMEOUT_SECONDS", env.get("DB_LOCK_TIMEOUT_SECONDS", "5")),
        fintoc_sandbox=sandbox,
        trusted_proxy_hops=_whole("TRUSTED_PROXY_HOPS", env.get("TRUSTED_PROXY_HOPS", "0")),
        orders_per_browser=_positive_int("LIMIT_ORDERS_PER_BROWSER", env.get("LIMIT_ORDERS_PER_BROWSER", "5")),
        orders_per_ip=_positive_int("LIMIT_ORDERS_PER_IP", env.get("LIMIT_ORDERS_PER_IP", "5")),
        orders_window_seconds=_positive_int("LIMIT_ORDERS_WINDOW_SECONDS",
                                            env.get("LIMIT_ORDERS_WINDOW_SECONDS", "600")),
        pending_orders_per_ip=_positive_int("LIMIT_PENDING_ORDERS_PER_IP",
                                            env.get("LIMIT_PENDING_ORDERS_PER_IP", "3")),
        events_per_second=_positive_int("LIMIT_EVENTS_PER_SECOND", env.get("LIMIT_EVENTS_PER_SECOND", "20")),
        nginx_event_rate=_positive_int("NGINX_EVENT_RATE", env.get("NGINX_EVENT_RATE", "10")),
        nginx_event_burst=_positive_int("NGINX_EVENT_BURST", env.get("NGINX_EVENT_BURST", "50")),
        nginx_event_connections=_nginx_connections("NGINX_EVENT_CONNECTIONS",
                                                   env.get("NGINX_EVENT_CONNECTIONS", "50")),
        nginx_payments_rate=_positive_int("NGINX_PAYMENTS_RATE", env.get("NGINX_PAYMENTS_RATE", "10")),
        nginx_payments_burst=_positive_int("NGINX_PAYMENTS_BURST", env.get("NGINX_PAYMENTS_BURST", "100")),
        nginx_payments_connections=_nginx_connections("NGINX_PAYMENTS_CONNECTIONS",
                                                      env.get("NGINX_PAYMENTS_CONNECTIONS", "20")),
        health_token=env.get("HEALTH_TOKEN") or None,
        extra_origins=extra_origins,
        fintoc_secret_key=env.get("FINTOC_SECRET_KEY") or None,
        fintoc_public_key=env.get("FINTOC_PUBLIC_KEY") or None,
        fintoc_webhook_secret=env.get("FINTOC_WEBHOOK_SECRET") or None,
        fintoc_api_url=(env.get("FINTOC_API_URL") or "https://api.fintoc.com").rstrip("/"),
        fintoc_widget_url=env.get("FINTOC_WIDGET_URL") or "https://js.fintoc.com/v1/",
        **_mail(env, sandbox),
    ))


@functools.cache
def get_settings() -> Settings:
    return load_settings()
