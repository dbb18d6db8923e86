"""What open shop pages poll to show price and stock changes without a reload.

The catalog's signal is (last stock movement id, last product change time): every stock change writes a ledger row
and every staff edit of a product stamps Product.updated_at, and both are read through an index (max of a primary
key, max of an indexed column), so asking costs two index lookups however large the catalog. Any instance can
answer it: it reads the database every instance shares."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from pepestore.catalog_models import StockMovement
from pepestore.models import Product


def catalog_signal(session: Session) -> tuple[int, str]:
    last_movement = session.exec(select(func.max(StockMovement.id))).one() or 0
    last_change = session.exec(select(func.max(Product.updated_at))).one()
    return last_movement, str(last_change or "")


@dataclass(frozen=True)
class Fresh:
    id: int
    price: int
    stock: int
    active: bool
    image: str


def fresh(session: Session, product_ids: list[int]) -> dict[int, Fresh]:
    """Price, stock, published and picture of these products now (missing ids are simply absent)."""
    ids = sorted({i for i in product_ids if isinstance(i, int)})[:500]
    if not ids:
        return {}
    rows = session.exec(select(Product.id, Product.price, Product.stock, Product.active, Product.image)
                        .where(col(Product.id).in_(ids)))
    return {row[0]: Fresh(*row) for row in rows}
