"""What search engines, link previews and the browser's tab read about each shop page (its description and title)."""

from __future__ import annotations

from pepestore.i18n import DEFAULT, say

# In the language of the prerendered pages (es-CL), which is what crawlers and link previews read.
CATALOG = say(DEFAULT, "meta.catalog")
CART = say(DEFAULT, "meta.cart")
PRODUCT = say(DEFAULT, "meta.product")
# Search engines show about this many characters of a description.
LIMIT = 155


def describe(text: str, fallback: str = PRODUCT) -> str:
    """One line of at most LIMIT characters, cut at a word, from a product's own description."""
    text = " ".join(text.split())
    if not text:
        return fallback
    if len(text) <= LIMIT:
        return text
    return text[:LIMIT - 1].rsplit(" ", 1)[0].rstrip(",.;:—-") + "…"


def product_title(name: str) -> str:
    """The product page's title: the product's name first, as a tab or a search result shows it."""
    return f"{name} — Pepestore" if name else "Pepestore"
