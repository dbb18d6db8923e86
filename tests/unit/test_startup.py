import pytest

from pepestore.settings import SettingsError
from pepestore.startup import start_address

SANDBOX = {"FINTOC_SANDBOX": "1"}


def test_public_url_follows_port_when_unset():
    assert start_address({**SANDBOX, "PORT": "3900"}) == "http://localhost:3900"
    assert start_address(SANDBOX) == "http://localhost:3000"


def test_a_local_public_url_on_another_port_is_refused():
    with pytest.raises(SettingsError, match="PUBLIC_URL is http://localhost:3000 but PORT is 3900"):
        start_address({**SANDBOX, "PORT": "3900", "PUBLIC_URL": "http://localhost:3000"})
    with pytest.raises(SettingsError, match="PORT is 3000"):
        start_address({**SANDBOX, "PUBLIC_URL": "http://127.0.0.1:3900"})


def test_agreeing_or_proxied_addresses_are_kept():
    assert start_address({**SANDBOX, "PORT": "3900", "PUBLIC_URL": "http://127.0.0.1:3900/"}) == \
        "http://127.0.0.1:3900"
    # Behind a proxy the public address names the proxy; the local port is the proxy's business.
    assert start_address({**SANDBOX, "PORT": "3900", "PUBLIC_URL": "https://shop.example.cl"}) == \
        "https://shop.example.cl"


@pytest.mark.parametrize("port", ["0", "70000", "http", "-1"])
def test_a_bad_port_is_refused(port):
    with pytest.raises(SettingsError, match="PORT must be a port number"):
        start_address({**SANDBOX, "PORT": port})


def test_payments_must_be_configured_before_the_build_starts():
    with pytest.raises(SettingsError, match="payments are not configured"):
        start_address({"PORT": "3000"})
