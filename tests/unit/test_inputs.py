import pytest

from pepestore.store import inputs
from pepestore.store.errors import StoreError


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (20, 20), ("3", 3), (" 7 ", 7)])
def test_accepts_whole_numbers_and_form_strings(raw, expected):
    assert inputs.whole_number(raw, what="Quantity", low=1, high=20) == expected


@pytest.mark.parametrize(
    "raw",
    [0, -1, 21, 10**30, 2.0, 2.5, True, False, None, "", "abc", "1e3", "-2", "0x10", [1], {"q": 1}, "9" * 40],
)
def test_refuses_everything_else_with_a_readable_message(raw):
    with pytest.raises(StoreError, match="La cantidad debe ser un número entero de 1 a 20"):
        inputs.whole_number(raw, what="Quantity", low=1, high=20)


@pytest.mark.parametrize("raw", [0, -5, "x", None, 1.0, True, 2**40])
def test_bad_product_ids_read_as_unknown_products(raw):
    with pytest.raises(StoreError, match="Ese producto no existe"):
        inputs.product_id(raw)
