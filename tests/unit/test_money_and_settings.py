import os
import subprocess
import sys

import pytest

from pepestore.money import format_clp
from pepestore.payments.config import FintocConfig
from pepestore.settings import PROJECT_ROOT, SettingsError, load_settings, parse_smtp_url

SANDBOX = {"FINTOC_SANDBOX": "1"}
KEYS = {"FINTOC_SECRET_KEY": "sk_live_topsecret", "FINTOC_PUBLIC_KEY": "pk_live_public",
        "FINTOC_WEBHOOK_SECRET": "whsec_topsecret"}
NO_MAIL = {"MAIL_DISABLED": "1"}  # real keys need SMTP_URL or an explicit no (see the email tests below)


@pytest.mark.parametrize(
    ("amount", "label"),
    [(0, "$0"), (990, "$990"), (1500, "$1.500"), (12990, "$12.990"), (1234567, "$1.234.567"), (-4990, "-$4.990")],
)
def test_prices_read_the_chilean_way(amount, label):
    assert format_clp(amount) == label


def test_defaults_are_an_embedded_store():
    settings = load_settings(SANDBOX)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("pepestore.db")
    assert settings.redis_url is None
    assert settings.public_url == "http://localhost:3000"
    assert settings.fintoc_sandbox is True


def test_postgres_urls_get_the_psycopg_driver():
    def url(raw: str) -> str:
        return load_settings({**SANDBOX, "DATABASE_URL": raw}).database_url

    assert url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_public_url_loses_its_trailing_slash():
    assert load_settings({**SANDBOX, "PUBLIC_URL": "https://shop.example/"}).public_url == "https://shop.example"


@pytest.mark.parametrize("raw", ["0", "-3", "ten", "2.5"])
def test_bad_line_limit_is_refused_at_start(raw):
    with pytest.raises(ValueError, match="CART_MAX_LINE_QUANTITY"):
        load_settings({**SANDBOX, "CART_MAX_LINE_QUANTITY": raw})


# -- payments fail closed ------------------------------------------------------------------------------------

def test_no_keys_and_no_sandbox_is_refused_naming_both_ways_out():
    with pytest.raises(SettingsError) as refusal:
        load_settings({})
    message = str(refusal.value)
    assert "FINTOC_SECRET_KEY" in message and "FINTOC_SANDBOX=1" in message
    assert "\n" not in message


@pytest.mark.parametrize("flag", ["0", "false", ""])
def test_sandbox_switched_off_is_no_sandbox(flag):
    with pytest.raises(SettingsError, match="not configured"):
        load_settings({"FINTOC_SANDBOX": flag})
    assert load_settings({"FINTOC_SANDBOX": flag, **KEYS, **NO_MAIL}).fintoc_sandbox is False


def test_a_nonsense_sandbox_flag_is_refused():
    with pytest.raises(SettingsError, match="FINTOC_SANDBOX must be 1 or 0"):
        load_settings({"FINTOC_SANDBOX": "maybe"})


@pytest.mark.parametrize("key", sorted(KEYS))
def test_keys_and_sandbox_together_are_ambiguous(key):
    with pytest.raises(SettingsError, match="both set"):
        load_settings({**SANDBOX, key: KEYS[key]})


@pytest.mark.parametrize("missing", sorted(KEYS))
def test_partial_keys_name_the_missing_variable(missing):
    env = {name: value for name, value in KEYS.items() if name != missing}
    with pytest.raises(SettingsError) as refusal:
        load_settings(env)
    assert str(refusal.value).startswith(f"{missing} missing")


def test_real_keys_mean_real_fintoc():
    settings = load_settings({**KEYS, **NO_MAIL})
    assert settings.fintoc_sandbox is False
    assert settings.fintoc_api_url == "https://api.fintoc.com"


def test_reprs_never_show_a_secret():
    settings = load_settings({**KEYS, "DATABASE_URL": "postgresql://shop:dbpassword@db/shop",
                              "SMTP_URL": "smtp://mailer:smtppassword@smtp.example:587", "MAIL_FROM": "a@b.cl",
                              "REDIS_URL": "redis://:redispassword@cache:6379/0"})
    config = FintocConfig(secret_key="sk_live_topsecret", public_key="pk_live_public",
                          webhook_secret="whsec_topsecret", api_url="https://api.fintoc.com",
                          widget_url="https://js.fintoc.com/v1/", sandbox=False)
    shown = repr(settings) + str(settings) + repr(config) + str(config) + repr(settings.smtp)
    for secret in ("topsecret", "dbpassword", "redispassword", "smtppassword"):
        assert secret not in shown
    assert "pk_live_public" in shown and "db/shop" in shown  # still useful for debugging


def test_websocket_origins_come_from_public_url_and_extra_origins():
    settings = load_settings({**SANDBOX, "PUBLIC_URL": "https://shop.example.cl/",
                              "EXTRA_ORIGINS": "https://www.shop.example.cl, https://Tienda.example.cl:8443"})
    assert settings.allowed_origins == ("https://shop.example.cl", "https://www.shop.example.cl",
                                        "https://tienda.example.cl:8443")
    local = load_settings(SANDBOX).allowed_origins
    assert local == ("http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000")


def test_an_origin_that_is_not_a_url_is_refused():
    with pytest.raises(SettingsError, match="not an http"):
        load_settings({**SANDBOX, "EXTRA_ORIGINS": "*"})


def test_the_store_refuses_to_start_with_one_line_when_payments_are_unconfigured():
    env = {key: value for key, value in os.environ.items() if not key.startswith("FINTOC_")}
    result = subprocess.run([sys.executable, "-c", "import rxconfig"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pepestore: refusing to start: payments are not configured")


@pytest.mark.parametrize(("url", "origin"), [
    ("https://shop.example.cl:443", "https://shop.example.cl"),  # browsers never send a default port
    ("http://shop.example.cl:80/", "http://shop.example.cl"),
    ("https://Shop.Example.cl:8443", "https://shop.example.cl:8443"),
    ("http://user:pw@localhost:3000", "http://localhost:3000"),
    ("http://[::1]:3000", "http://[::1]:3000"),
])
def test_origins_are_written_as_browsers_send_them(url, origin):
    from pepestore.settings import origin_of

    assert origin_of(url) == origin


# -- email transport ------------------------------------------------------------------------------------------

def test_real_keys_without_smtp_refuse_to_start_in_one_line():
    with pytest.raises(SettingsError) as refusal:
        load_settings(KEYS)
    message = str(refusal.value)
    assert "\n" not in message and "SMTP_URL" in message and "MAIL_DISABLED=1" in message


def test_real_keys_start_with_smtp_or_mail_disabled():
    sending = load_settings({**KEYS, "SMTP_URL": "smtps://u:p@smtp.example", "MAIL_FROM": "hola@pepestore.cl"})
    assert sending.mail_mode == "smtp"
    assert load_settings({**KEYS, **NO_MAIL}).mail_mode == "off"


def test_the_sandbox_without_smtp_keeps_mail_for_the_viewer():
    settings = load_settings(SANDBOX)
    assert settings.mail_mode == "keep" and settings.smtp is None
    assert settings.mail_sender == "Pepestore <store@localhost>"


@pytest.mark.parametrize("url, host, port, tls, user, password", [
    ("smtp://mailer:s3cret@smtp.example.cl:587", "smtp.example.cl", 587, "starttls", "mailer", "s3cret"),
    ("smtp://mailer:s3cret@smtp.example.cl", "smtp.example.cl", 587, "starttls", "mailer", "s3cret"),
    ("smtp://apikey:p%40ss%2Fword@smtp.example.cl:2525", "smtp.example.cl", 2525, "starttls", "apikey", "p@ss/word"),
    ("smtps://mailer:s3cret@smtp.example.cl:465", "smtp.example.cl", 465, "implicit", "mailer", "s3cret"),
    ("smtps://mailer:s3cret@smtp.example.cl", "smtp.example.cl", 465, "implicit", "mailer", "s3cret"),
    ("smtp://127.0.0.1:1025", "127.0.0.1", 1025, "none", None, None),
    ("smtp://relay.internal", "relay.internal", 25, "none", None, None),
])
def test_smtp_urls_choose_tls_the_way_the_readme_says(url, host, port, tls, user, password):
    transport = parse_smtp_url(url)
    assert (transport.host, transport.port, transport.tls, transport.username, transport.password) == \
        (host, port, tls, user, password)
    if password:
        assert password not in repr(transport)


@pytest.mark.parametrize("url", ["http://smtp.example.cl", "smtp://", "smtp://host:notaport", "mailto:a@b.cl"])
def test_nonsense_smtp_urls_are_refused(url):
    with pytest.raises(SettingsError, match="SMTP_URL"):
        load_settings({**SANDBOX, "SMTP_URL": url, "MAIL_FROM": "hola@pepestore.cl"})


def test_a_bad_smtp_url_never_shows_its_password():
    with pytest.raises(SettingsError) as refusal:
        load_settings({**SANDBOX, "SMTP_URL": "smtp://u:hunter2@host:port", "MAIL_FROM": "hola@pepestore.cl"})
    assert "hunter2" not in str(refusal.value)


def test_smtp_url_needs_mail_from():
    with pytest.raises(SettingsError, match="MAIL_FROM missing"):
        load_settings({**SANDBOX, "SMTP_URL": "smtp://127.0.0.1:1025"})


@pytest.mark.parametrize("name", ["MAIL_FROM", "MAIL_REPLY_TO"])
@pytest.mark.parametrize("raw", ["hola@pepestore.cl\r\nBcc: victim@example.cl", "not an address",
                                 "a@b.cl, c@d.cl", "hola@pepestore.cl\nX-Evil: 1"])
def test_sender_addresses_with_header_tricks_are_refused(name, raw):
    env = {**SANDBOX, "SMTP_URL": "smtp://127.0.0.1:1025", "MAIL_FROM": "hola@pepestore.cl", name: raw}
    with pytest.raises(SettingsError, match=name):
        load_settings(env)


def test_sender_addresses_may_carry_a_display_name():
    settings = load_settings({**SANDBOX, "SMTP_URL": "smtp://127.0.0.1:1025",
                              "MAIL_FROM": "Pepestore <hola@pepestore.cl>", "MAIL_REPLY_TO": "ayuda@pepestore.cl"})
    assert (settings.mail_sender, settings.mail_reply_to) == ("Pepestore <hola@pepestore.cl>", "ayuda@pepestore.cl")



@pytest.mark.parametrize("url", ["smtp://mailer:4821#Kq@smtp.example.cl:587", "smtp://user:pa#ss@host:587",
                                 "smtps://u:a/b?c@host"])
def test_an_smtp_password_with_unencoded_characters_is_refused_without_being_printed(url):
    from pepestore.settings import redact_url

    with pytest.raises(SettingsError) as refusal:
        load_settings({**SANDBOX, "SMTP_URL": url, "MAIL_FROM": "hola@pepestore.cl"})
    assert "percent-encode" in str(refusal.value)
    for secret in ("4821#Kq", "pa#ss", "a/b?c"):
        assert secret not in str(refusal.value) and secret not in redact_url(url)
