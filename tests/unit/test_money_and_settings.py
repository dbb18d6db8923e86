import os
import subprocess
import sys

import pytest

from pepestore.money import format_clp
from pepestore.payments.config import FintocConfig
from pepestore.settings import PROJECT_ROOT, SettingsError, load_settings

SANDBOX = {"FINTOC_SANDBOX": "1"}
KEYS = {"FINTOC_SECRET_KEY": "sk_live_topsecret", "FINTOC_PUBLIC_KEY": "pk_live_public",
        "FINTOC_WEBHOOK_SECRET": "whsec_topsecret"}


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
    assert load_settings({"FINTOC_SANDBOX": flag, **KEYS}).fintoc_sandbox is False


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
    settings = load_settings(KEYS)
    assert settings.fintoc_sandbox is False
    assert settings.fintoc_api_url == "https://api.fintoc.com"


def test_reprs_never_show_a_secret():
    settings = load_settings({**KEYS, "DATABASE_URL": "postgresql://shop:dbpassword@db/shop",
                              "REDIS_URL": "redis://:redispassword@cache:6379/0"})
    config = FintocConfig(secret_key="sk_live_topsecret", public_key="pk_live_public",
                          webhook_secret="whsec_topsecret", api_url="https://api.fintoc.com",
                          widget_url="https://js.fintoc.com/v1/", sandbox=False)
    shown = repr(settings) + str(settings) + repr(config) + str(config)
    for secret in ("topsecret", "dbpassword", "redispassword"):
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
