"""Put the starter catalog into an empty store. Safe to run at every start: it never touches existing rows."""

from __future__ import annotations

from sqlmodel import Session, select

from pepestore.catalog_models import StockReason
from pepestore.models import Product
from pepestore.store import stock
from pepestore.store.catalog_data import SEED_PRODUCTS


def seed_catalog(session: Session) -> int:
    """Insert the seed products whose slug is not in the database yet; return how many were added."""
    existing = set(session.exec(select(Product.slug)))
    added = []
    for item in SEED_PRODUCTS:
        if item.slug in existing:
            continue
        added.append(
            Product(
                slug=item.slug,
                name=item.name,
                description=item.description,
                category=item.category,
                price=item.price,
                stock=item.stock,
                image=item.image,
            )
        )
    session.add_all(added)
    session.flush()
    for product in added:
        # The ledger starts with what the seed put on the shelf, so it adds up to the stock from the first row.
        stock.log(session, product.id, product.stock, StockReason.OPENING, note="seed catalog")
    return len(added)


def main() -> None:
    from pepestore.db import session_scope

    with session_scope() as session:
        added = seed_catalog(session)
    print(f"Catalog ready: {added} products added." if added else "Catalog ready: already seeded.")


if __name__ == "__main__":
    main()
