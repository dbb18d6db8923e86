"""Every page path in one place, so links and `add_page` can never disagree."""

from urllib.parse import quote, urlencode

CATALOG = "/"
CART = "/cart"
PRODUCT = "/product/[slug]"
ORDER = "/order/[order_token]"
# The back office: every page under it is staff-only; everything else is the shop (pepestore/shop_css.py styles the
# shop's pages with the shop's own rules).
BACK_OFFICE = "/admin"
# Build-time templates of a product page's early copy, one per language (pepestore/early_product.py); never served.
EARLY_PRODUCT = {"es-CL": "/early-product/es", "en": "/early-product/en"}


def product(slug: str) -> str:
    return f"/product/{quote(slug)}"


def catalog(params: dict[str, str]) -> str:
    return f"{CATALOG}?{urlencode(params)}" if params else CATALOG
