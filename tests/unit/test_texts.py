"""The language modules (pepestore/i18n/es.py, en.py) stay complete and every key the code uses exists."""

import re
from pathlib import Path

import pytest

from pepestore.i18n import DEFAULT, LANGUAGES, Text, catalog_problems, say, text
from pepestore.store.errors import StoreError

ROOT = Path(__file__).resolve().parents[2] / "pepestore"
# t("key"), t_of-free literal uses: say(lang, "key"), text("key"), Text("key"), and constants holding a key.
USES = re.compile(r"""\b(?:t|text|Text)\(\s*["']([a-z_]+\.[a-z_.]+)["']|\bsay\([^,()]+,\s*["']([a-z_]+\.[a-z_.]+)["']""")
KEY_CONSTANT = re.compile(r"""^[A-Z_]+ = ["']([a-z_]+\.[a-z_]+)["']""", re.MULTILINE)


def test_every_language_has_every_text_with_the_same_placeholders():
    assert catalog_problems() == []


def test_the_check_notices_a_text_in_one_language_only_and_mismatched_placeholders():
    broken = {"es-CL": {"a.b": "Hola {name}", "only.es": "sí"}, "en": {"a.b": "Hello {nombre}", "only.en": "yes"}}
    problems = catalog_problems(broken)
    assert "'only.en' is missing from es-CL" in problems
    assert "'only.es' is missing from en" in problems
    assert any("'a.b' names" in p for p in problems)


def keys_used_in_code() -> set[str]:
    used = set()
    for path in [*ROOT.rglob("*.py"), *ROOT.glob("mail/templates/*")]:
        if "i18n" in path.parts:
            continue
        source = path.read_text()
        for match in USES.finditer(source):
            used.add(match.group(1) or match.group(2))
        # A constant holding a key (CART_UNAVAILABLE = "cart.unavailable"), told apart by a known prefix.
        prefixes = {key.split(".")[0] for key in LANGUAGES[DEFAULT]}
        used.update(k for k in KEY_CONSTANT.findall(source) if k.split(".")[0] in prefixes)
    return used


def test_every_key_the_code_names_exists():
    used = keys_used_in_code()
    assert len(used) > 80, "the scan found too few keys: has the calling convention changed?"
    assert sorted(used - set(LANGUAGES[DEFAULT])) == []


def test_an_unknown_key_fails_where_it_is_written_never_on_screen():
    with pytest.raises(KeyError):
        text("cart.no_such_text")
    with pytest.raises(KeyError):
        say("en", "cart.no_such_text")


def test_refusals_are_said_in_the_readers_language_and_spanish_by_default():
    refusal = StoreError(text("cart.sold_out", name="Cast Iron Teapot"))
    assert refusal.message == str(refusal) == "Lo sentimos, Cast Iron Teapot está agotado."
    assert refusal.say("en") == "Sorry, Cast Iron Teapot is sold out."
    assert refusal.say("klingon") == refusal.message  # an unknown language reads as the default
    assert StoreError("plain words").say("en") == "plain words"
    assert Text("stock.few", count=2).say("en") == "Only 2 left"
    assert DEFAULT == "es-CL"


def test_the_sandbox_widget_names_only_texts_that_exist():
    widget = (ROOT / "payments" / "sandbox" / "widget.js").read_text()
    named = set(re.findall(r'\btr\("([a-z_]+)"\)', widget))
    assert len(named) > 12
    assert sorted(f"sandbox.{name}" for name in named if f"sandbox.{name}" not in LANGUAGES[DEFAULT]) == []


def test_every_known_cancel_reason_has_a_text_for_the_shopper():
    from pepestore.payments.checkout import CANCELLED_ON_FINTOC, EXITED_WIDGET
    from pepestore.state.order import REASON_KEYS

    assert {EXITED_WIDGET, CANCELLED_ON_FINTOC, "the bank rejected the payment"} <= set(REASON_KEYS)
    assert sorted(f"reason.{key}" for key in REASON_KEYS.values() if f"reason.{key}" not in LANGUAGES[DEFAULT]) == []


def test_every_order_status_has_a_label_in_both_languages():
    from pepestore.models import OrderStatus
    from pepestore.store import backoffice

    every = {value for name, value in vars(OrderStatus).items() if name.isupper() and isinstance(value, str)}
    statuses = {*backoffice.STATUSES, *every, "all"}
    assert len(every) >= 7
    assert sorted(s for s in statuses if f"status.{s}" not in LANGUAGES[DEFAULT]) == []
