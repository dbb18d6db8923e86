import pytest

from pepestore.money import format_clp
from pepestore.settings import load_settings


@pytest.mark.parametrize(
    ("amount", "label"),
    [(0, "$0"), (990, "$990"), (1500, "$1.500"), (12990, "$12.990"), (1234567, "$1.234.567"), (-4990, "-$4.990")],
)
def test_prices_read_the_chilean_way(amount, label):
    assert format_clp(amount) == label


def test_defaults_are_an_embedded_store():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("pepestore.db")
    assert settings.redis_url is None
    assert settings.public_url == "http://localhost:3000"


def test_postgres_urls_get_the_psycopg_driver():
    assert load_settings({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    assert load_settings({"DATABASE_URL": "postgresql://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    assert (
        load_settings({"DATABASE_URL": "postgresql+psycopg://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    )


def test_public_url_loses_its_trailing_slash():
    assert load_settings({"PUBLIC_URL": "https://shop.example/"}).public_url == "https://shop.example"


@pytest.mark.parametrize("raw", ["0", "-3", "ten", "2.5"])
def test_bad_line_limit_is_refused_at_start(raw):
    with pytest.raises(ValueError, match="CART_MAX_LINE_QUANTITY"):
        load_settings({"CART_MAX_LINE_QUANTITY": raw})
