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


# -- sandbox by default, only on a newcomer's machine ---------------------------------------------------------

from pepestore.startup import main as startup_main, sandbox_by_default  # noqa: E402


def test_a_fresh_clone_on_this_machine_gets_the_sandbox():
    assert sandbox_by_default({"PORT": "3900"})
    assert sandbox_by_default({"PUBLIC_URL": "http://127.0.0.1:3000"})


@pytest.mark.parametrize("env", [
    {"FINTOC_SANDBOX": "0"},  # the operator said no: respected, and then the store refuses without keys
    {"FINTOC_SANDBOX": ""},
    {"FINTOC_SECRET_KEY": "sk_live_x"},  # keys (here half of them) are never swapped for the sandbox
    {"FINTOC_WEBHOOK_SECRET": "whsec_x"},
    {"PUBLIC_URL": "https://shop.example.cl"},  # a public store that lost its keys fails closed
])
def test_anything_configured_or_public_never_falls_back_to_the_sandbox(env):
    assert not sandbox_by_default(env)


def test_the_start_command_exports_what_the_shell_needs(monkeypatch, capsys):
    for name in ("FINTOC_SANDBOX", "FINTOC_SECRET_KEY", "FINTOC_PUBLIC_KEY", "FINTOC_WEBHOOK_SECRET", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "3900")
    monkeypatch.setattr("pepestore.startup.read_environment", lambda: {"PORT": "3900"})
    assert startup_main([]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["export FINTOC_SANDBOX=1", "export PUBLIC_URL=http://localhost:3900"]
    assert "SANDBOX PAYMENTS" in err
    monkeypatch.setattr("pepestore.startup.read_environment",
                        lambda: {"PORT": "3900", "PUBLIC_URL": "https://shop.example.cl"})
    assert startup_main([]) == 1
    assert "payments are not configured" in capsys.readouterr().err
