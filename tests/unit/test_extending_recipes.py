"""docs/extending.md cannot rot: its marked code blocks run here, and every file it names exists."""

import ast
import re
from pathlib import Path

import pytest
from sqlmodel import select

from pepestore.i18n import LANGUAGES, catalog_problems
from pepestore.models import Order, Product, utcnow
from pepestore.store import cart, order_events, orders
from pepestore.store.orders import PaymentFacts, Source

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "extending.md").read_text()
RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\s*```python\n(.*?)```", re.DOTALL)


def recipe(name: str) -> str:
    found = {match.group(1): match.group(2) for match in RECIPE.finditer(GUIDE)}
    assert name in found, f"docs/extending.md lost its '{name}' recipe"
    return found[name]


def recipe_texts(name: str) -> dict[str, str]:
    return ast.literal_eval("{" + recipe(name) + "}")


@pytest.fixture
def with_recipe_texts(monkeypatch):
    """The language modules as they are after following "add a text in both languages"."""
    es, en = recipe_texts("texts-es"), recipe_texts("texts-en")
    monkeypatch.setitem(LANGUAGES, "es-CL", {**LANGUAGES["es-CL"], **es})
    monkeypatch.setitem(LANGUAGES, "en", {**LANGUAGES["en"], **en})
    return es, en


def test_every_file_the_guide_names_exists():
    named = set(re.findall(r"`((?:pepestore|tests|alembic|docs|scripts)/[\w./-]+\.(?:py|jsx|md))`", GUIDE))
    named.discard("pepestore/pages/about.py")  # the page the recipe creates
    named.discard("pepestore/store/warehouse.py")  # the module the order-event recipe creates
    assert len(named) > 15
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_the_text_recipe_keeps_both_languages_complete(with_recipe_texts):
    es, en = with_recipe_texts
    assert set(es) == set(en)
    assert catalog_problems() == []


def test_the_page_recipe_builds_a_page_in_the_shared_layout(with_recipe_texts):
    namespace: dict = {}
    exec(compile(recipe("page"), "docs/extending.md#page", "exec"), namespace)
    # The compiled JavaScript writes non-ASCII letters as \uXXXX escapes.
    rendered = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), str(namespace["about_page"]()))
    assert "Quiénes somos" in rendered and "About us" in rendered  # both languages, chosen in the browser
    assert "Somos 4 personas" in rendered
    assert "cart_state.item_count" in rendered, "the header with the cart badge is missing"
    assert "language-switch" in rendered


def test_the_order_event_recipe_hears_a_payment_once(session, caplog):
    namespace: dict = {"__name__": "recipe"}
    exec(compile(recipe("order-event"), "docs/extending.md#order-event", "exec"), namespace)
    callback = namespace["tell_the_warehouse"]
    try:
        caplog.set_level("INFO", logger="pepestore.warehouse")
        beanie = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
        token = cart.add_item(session, "", beanie.id, 1).cart.token
        order = orders.place_order(session, token, "ana@example.cl", None, utcnow())
        session.commit()
        facts = PaymentFacts(order.total, "CLP", "test", "pi_recipe")
        for _ in range(2):
            orders.confirm_payment(session, order.id, facts, expected_mode="test", source=Source.WEBHOOK, now=utcnow())
            session.commit()
        assert session.get(Order, order.id).status == "paid"
        heard = [r.getMessage() for r in caplog.records if r.name == "pepestore.warehouse"]
        assert len(heard) == 1, heard  # paid once, though confirmed twice
        assert heard[0].startswith(f"order {order.id} paid (via webhook at ") and heard[0].endswith(": pack it")
    finally:
        order_events.remove("paid", callback)


def test_the_npm_component_recipe_compiles_to_an_import_of_the_package():
    namespace: dict = {}
    exec(compile(recipe("npm-component"), "docs/extending.md#npm-component", "exec"), namespace)
    component = namespace["confetti"](number_of_pieces=200, recycle=False)
    rendered = str(component)
    assert "numberOfPieces:200" in rendered.replace(" ", "") and "recycle:false" in rendered.replace(" ", "")
    imports = str(component._get_all_imports())
    assert "react-confetti" in imports
