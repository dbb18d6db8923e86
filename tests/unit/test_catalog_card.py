"""The catalog card as the browser gets it: its photos' loading order, and the hooks the shop and its tests use."""

from pepestore.components.catalog_card import EAGER_PHOTOS
from pepestore.pages.catalog import catalog_page


def _compiled() -> str:
    return str(catalog_page().render())


def test_the_first_photos_load_with_the_page_the_first_at_high_priority():
    compiled = _compiled()
    # The largest paint is the first card's photo: fetched at once and first, not when layout finds it.
    assert f'loading:((index_rx_state_ < {EAGER_PHOTOS}) ? "eager" : "lazy")' in compiled
    assert 'fetchPriority:((index_rx_state_?.valueOf?.() === 0?.valueOf?.()) ? "high" : "auto")' in compiled
    assert EAGER_PHOTOS >= 4  # a whole first row on a wide screen


def test_the_card_keeps_its_hooks_and_needs_no_emotion_styles():
    compiled = _compiled()
    start = compiled.index("product-card card-tall")
    card = compiled[start:compiled.index('"nav"', start)]  # the card, up to the pager after the grid
    for hook in ("product-card", "product-name", "product-price", '"data-slug"', "product_id", "quantity"):
        assert hook in card, hook
    assert "css:" not in card  # plain elements with classes: nothing for emotion to work out while hydrating
