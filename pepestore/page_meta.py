"""What search engines and link previews read about each shop page (`<meta name="description">`)."""

from __future__ import annotations

CATALOG = "Chilean goods for everyday life — coffee and tea, kitchen, home, stationery and more — priced in pesos, " \
          "shipped from Santiago, paid by bank transfer with Fintoc."
CART = "Your Pepestore cart: review quantities and totals in Chilean pesos, then pay by bank transfer with Fintoc."
PRODUCT = "A product from Pepestore, Chilean goods for everyday life shipped from Santiago."
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
