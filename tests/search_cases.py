"""Search and paging checks run the same on SQLite (tests/unit) and PostgreSQL (tests/integration)."""

from __future__ import annotations

from sqlmodel import Session, select

from pepestore.models import Product
from pepestore.store import catalog
from pepestore.store.catalog import CatalogQuery

ODD_PRODUCTS = (
    ("lana-100", "Manta 100% lana", "Tejida en Chiloé; 100% lana de oveja."),
    ("snake-case", "Taza snake_case", "For developers who name things with_underscores."),
    ("nandu", "Ñandú de cerámica", "Figura pintada a mano, CAFÉ y blanco."),
    ("quote", 'Print "Valparaíso"', "Poster of the port, 50/50 sea and hills."),
)


def add_odd_products(session: Session) -> None:
    for slug, name, description in ODD_PRODUCTS:
        session.add(Product(slug=slug, name=name, description=description, category="Home", price=1000,
                            stock=3, image=f"/products/{slug}.webp"))
    session.commit()


def slugs(session: Session, search: str) -> set[str]:
    return {item.slug for item in catalog.list_page(session, CatalogQuery(search=search)).items}


def check_search(session: Session) -> None:
    add_odd_products(session)
    assert slugs(session, "TEAPOT") == {"cast-iron-teapot"}
    assert slugs(session, "feria") == {"canvas-tote-bag"}  # only in its description
    assert slugs(session, "100%") == {"lana-100"}
    assert slugs(session, "0% l") == {"lana-100"}
    assert slugs(session, "e_c") == {"snake-case"}  # _ is a character, not "any character"
    assert slugs(session, "%") == {"lana-100"}
    assert slugs(session, "_") == {"snake-case"}
    assert slugs(session, "ñandú") == {"nandu"}  # case folds across accented letters
    assert slugs(session, "café") == {"nandu"}
    assert slugs(session, '"valparaíso"') == {"quote"}
    assert slugs(session, "50/50") == {"quote"}
    assert slugs(session, "zzzz-nothing") == set()
    # The index follows edits and deletions (SQLite: triggers; PostgreSQL: the indexes themselves).
    lana = session.exec(select(Product).where(Product.slug == "lana-100")).one()
    lana.name, lana.description = "Manta de alpaca", "Suave."
    session.add(lana)
    session.commit()
    assert slugs(session, "100%") == set() and slugs(session, "alpaca") == {"lana-100"}
    session.delete(lana)
    session.commit()
    assert slugs(session, "alpaca") == set()


def check_paging(session: Session) -> None:
    first = catalog.list_page(session, CatalogQuery())
    assert (len(first.items), first.total, first.page, first.pages) == (24, 28, 1, 2)
    second = catalog.list_page(session, CatalogQuery(page=2))
    assert len(second.items) == 4 and second.page == 2
    assert not {i.id for i in first.items} & {i.id for i in second.items}
    assert catalog.list_page(session, CatalogQuery(page=50)).page == 2  # past the end: the last page
    everything = [p.slug for p in catalog.list_products(session, CatalogQuery(sort="price_asc"))]
    paged = [i.slug for n in (1, 2) for i in catalog.list_page(session, CatalogQuery(sort="price_asc", page=n)).items]
    assert paged == everything
    plants = catalog.list_page(session, CatalogQuery(category="Plants"))
    assert plants.total == len(plants.items) == 4 and plants.pages == 1
    assert catalog.list_page(session, CatalogQuery(search="zzzz")).pages == 1
