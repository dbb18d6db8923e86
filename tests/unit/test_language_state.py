"""The language switch's handler: only a language the store has; a choice changes what handlers say."""

import pytest

from pepestore.state.cart import CartState
from pepestore.state.language import LanguageState
from tests.unit.reflex_helpers import new_state, toasts


@pytest.mark.parametrize("bad", ["fr", "", "en-US", None, 1, ["en"], "en'); alert(1); ('"])
async def test_an_unknown_language_is_refused_and_nothing_changes(bad):
    language = await new_state(LanguageState)
    assert toasts(language.set_language(bad)) == [("error", "Ese idioma no está disponible.")]
    assert language.lang == "es-CL" and language.is_english is False


async def test_choosing_english_sets_the_cookie_var_and_the_page_language():
    language = await new_state(LanguageState)
    script = language.set_language("en")
    assert language.lang == "en" and language.is_english is True
    assert "document.documentElement.lang = 'en'" in str(script)


async def test_handlers_answer_in_the_chosen_language(engine):
    cart = await new_state(CartState)
    assert toasts(await cart.add_to_cart(999_999, 1)) == [("error", "Ese producto no existe.")]
    (await cart.get_state(LanguageState)).set_language("en")
    assert toasts(await cart.add_to_cart(999_999, 1)) == [("error", "That product does not exist.")]
