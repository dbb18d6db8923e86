"""Turn untrusted event arguments into the integers services work with.

Reflex type hints coerce nothing and validate nothing: any client may send a float, a list, a bool,
a negative or 10**30 for any argument, so every value is checked here before it reaches the database.
"""

from __future__ import annotations

import re

from pepestore.i18n import text
from pepestore.store.errors import StoreError

_DIGITS = re.compile(r"^\s*\d{1,9}\s*$")


def whole_number(value: object, *, what: str, low: int, high: int) -> int:
    """Accept an int or a short string of digits (form fields arrive as strings) within [low, high]."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.match(value):
        number = int(value)
    else:
        number = None
    if number is None or not low <= number <= high:
        raise StoreError(text("input.whole_number", low=low, high=high))
    return number


def product_id(value: object) -> int:
    try:
        return whole_number(value, what="Product", low=1, high=2**31 - 1)
    except StoreError:
        raise StoreError(text("cart.no_such_product")) from None
