"""What the browser is shown of a product: display-ready strings, no more than the page needs."""

from __future__ import annotations

import dataclasses

from pepestore import routes
from pepestore.models import Product
from pepestore.money import format_clp
from pepestore.store.catalog import CatalogItem

LOW_STOCK = 5


@dataclasses.dataclass
class ProductView:
    id: int
    slug: str
    name: str
    description: str
    category: str
    image: str
    href: str
    price: str
    stock: int
    stock_label: str
    stock_tone: str  # a Radix colour: green, orange or gray


@dataclasses.dataclass
class ProductCard:
    """A catalog card: a ProductView without the description, which only the product page shows."""

    id: int
    slug: str
    name: str
    category: str
    image: str
    href: str
    price: str
    stock: int
    stock_label: str
    stock_tone: str


def stock_label(stock: int) -> tuple[str, str]:
    if stock == 0:
        return "Out of stock", "gray"
    if stock <= LOW_STOCK:
        return f"Only {stock} left", "orange"
    return "In stock", "green"


def product_view(product: Product) -> ProductView:
    label, tone = stock_label(product.stock)
    return ProductView(
        id=product.id,
        slug=product.slug,
        name=product.name,
        description=product.description,
        category=product.category,
        image=product.image,
        href=routes.product(product.slug),
        price=format_clp(product.price),
        stock=product.stock,
        stock_label=label,
        stock_tone=tone,
    )


def product_card(item: CatalogItem) -> ProductCard:
    label, tone = stock_label(item.stock)
    return ProductCard(id=item.id, slug=item.slug, name=item.name, category=item.category, image=item.image,
                       href=routes.product(item.slug), price=format_clp(item.price), stock=item.stock,
                       stock_label=label, stock_tone=tone)


# Shown (behind a loading skeleton) before a product page has loaded, so the page's vars are never None.
NO_PRODUCT = ProductView(
    id=0, slug="", name="", description="", category="", image="", href="", price="", stock=0,
    stock_label="", stock_tone="gray",
)


# The product page's early copy (pepestore/early_product.py) is prerendered with these placeholders, which the
# server then replaces with one product's values. Letters only: React writes them into the HTML unchanged.
EARLY_MARK = "zqzEARLY{}zqz"
EARLY_FIELDS = ("name", "category", "image", "price", "description", "stock_tone")
EARLY_STOCK_LABEL = EARLY_MARK.format("STOCKLABEL")
EARLY_PRODUCT = ProductView(
    id=0, slug="", href="", stock=1, stock_label="",
    **{field: EARLY_MARK.format(field.replace("_", "").upper()) for field in EARLY_FIELDS},
)
