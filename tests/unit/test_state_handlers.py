"""The Reflex handlers a browser (or anyone) can call, with good and hostile arguments."""

import pytest
from sqlmodel import Session, select

from pepestore import page_meta
from pepestore.models import CartLine, Product
from pepestore.state.cart import CartState
from pepestore.state.catalog import CatalogState
from pepestore.state.product import ProductState
from tests.unit.reflex_helpers import new_state, toasts, visit


def product_id(engine, slug: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Product.id).where(Product.slug == slug)).one()


def line_count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(CartLine)).all())


async def test_add_to_cart_shows_the_line_priced_from_the_database(engine):
    cart = await new_state(CartState)
    mug = product_id(engine, "ceramic-mug-terracotta")
    result = await cart.add_to_cart(mug, 2)
    assert toasts(result) == [("success", "Agregaste Terracotta Ceramic Mug a tu carrito.")]
    assert cart.item_count == 2
    assert cart.subtotal == "$17.980"
    assert [(r.name, r.quantity, r.unit_price, r.line_total) for r in cart.rows] == [
        ("Terracotta Ceramic Mug", 2, "$8.990", "$17.980")
    ]
    assert len(cart.token) == 43


async def test_form_submission_is_validated_like_any_other_call(engine):
    cart = await new_state(CartState)
    mug = product_id(engine, "ceramic-mug-terracotta")
    assert toasts(await cart.add_from_form({"product_id": str(mug), "quantity": "3"}))[0][0] == "success"
    assert cart.item_count == 3
    for hostile in ({}, {"product_id": str(mug)}, {"product_id": str(mug), "quantity": "-1"}, "not a dict", None):
        assert toasts(await cart.add_from_form(hostile))[0][0] == "error"
    assert cart.item_count == 3


@pytest.mark.parametrize(
    ("pid", "quantity", "message"),
    [
        (999999, 1, "Ese producto no existe."),
        ("1; drop table product", 1, "Ese producto no existe."),
        (None, 1, "Ese producto no existe."),
        (1, 0, "La cantidad debe ser un número entero de 1 a 20."),
        (1, -4, "La cantidad debe ser un número entero de 1 a 20."),
        (1, 2.5, "La cantidad debe ser un número entero de 1 a 20."),
        (1, 10**30, "La cantidad debe ser un número entero de 1 a 20."),
        (1, [1], "La cantidad debe ser un número entero de 1 a 20."),
    ],
)
async def test_bad_arguments_get_an_error_toast_and_change_nothing(engine, pid, quantity, message):
    cart = await new_state(CartState)
    assert toasts(await cart.add_to_cart(pid, quantity)) == [("error", message)]
    assert cart.rows == [] and cart.item_count == 0 and cart.token == ""
    assert line_count(engine) == 0


async def test_over_stock_is_clamped_and_explained(engine):
    cart = await new_state(CartState)
    teapot = product_id(engine, "cast-iron-teapot")
    assert toasts(await cart.add_to_cart(teapot, 9)) == [
        ("warning", "Solo quedan 3 de Cast Iron Teapot, así que tu carrito tiene 3.")
    ]
    assert cart.item_count == 3
    assert toasts(await cart.add_to_cart(teapot, 1)) == [
        ("error", "Solo quedan 3 de Cast Iron Teapot, y tu carrito ya tiene 3.")
    ]
    assert cart.item_count == 3


async def test_sold_out_is_refused(engine):
    cart = await new_state(CartState)
    assert toasts(await cart.add_to_cart(product_id(engine, "pour-over-dripper"), 1)) == [
        ("error", "Lo sentimos, Porcelain Pour-Over Dripper está agotado.")
    ]
    assert line_count(engine) == 0


async def test_stepper_and_remove(engine):
    cart = await new_state(CartState)
    pen = product_id(engine, "brass-fountain-pen")
    await cart.add_to_cart(pen, 1)
    assert toasts(await cart.set_quantity(pen, 2)) == []
    assert cart.rows[0].quantity == 2
    assert toasts(await cart.set_quantity(pen, 8))[0] == ("warning", "Solo quedan 7 de Brass Fountain Pen, así que tu carrito tiene 7.")
    assert toasts(await cart.set_quantity(pen, 0))[0][0] == "error"
    assert toasts(await cart.set_quantity(pen, "lots"))[0][0] == "error"
    assert cart.rows[0].quantity == 7
    assert toasts(await cart.remove(12345)) == [("error", "Ese producto ya no está en tu carrito.")]
    assert toasts(await cart.remove(pen)) == []
    assert cart.rows == [] and cart.item_count == 0


async def test_a_second_tab_with_the_same_token_sees_the_same_cart(engine):
    first = await new_state(CartState)
    await first.add_to_cart(product_id(engine, "wool-beanie"), 2)
    second = await new_state(CartState)
    second.token = first.token
    assert toasts(await second.load()) == []
    assert [(r.name, r.quantity) for r in second.rows] == [("Merino Wool Beanie", 2)]


async def test_a_tampered_token_starts_a_fresh_cart_and_says_so(engine):
    first = await new_state(CartState)
    await first.add_to_cart(product_id(engine, "wool-beanie"), 1)
    intruder = await new_state(CartState)
    intruder.token = first.token[:-2] + "zz"
    assert toasts(await intruder.load()) == [("info", "No encontramos tu carrito guardado, así que tienes uno nuevo.")]
    assert intruder.token == "" and intruder.rows == []
    intruder.token = "<script>alert(1)</script>"
    assert toasts(await intruder.load())[0][0] == "info"
    assert intruder.token == ""


async def test_catalog_load_follows_the_url(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/?q=mug&sort=price_desc")
    await catalog.load()
    assert catalog.search == "mug" and catalog.sort == "price_desc" and catalog.category == ""
    assert [p.name for p in catalog.products] == ["Terracotta Ceramic Mug", "Enamel Camp Mug"]
    assert catalog.products[0].price == "$8.990"
    assert catalog.loading is False
    assert "Plants" in catalog.categories


async def test_catalog_filters_redirect_to_a_shareable_url(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/?q=mug")
    await catalog.load()
    assert "sort=price_asc" in str(await catalog.choose_sort("price_asc"))
    assert catalog.sort == "price_asc"  # the select shows the choice while the page loads
    assert toasts(await catalog.choose_sort("random()")) == [("error", "Ese orden no está disponible.")]
    assert "/?q=tea&sort=price_asc" in str(catalog.apply_search({"q": "  tea  "}))  # the chosen sort is kept
    assert '"/?sort=price_asc"' in str(catalog.apply_search({"q": ["x"]}))


async def test_category_links_keep_the_search_and_sort_and_start_at_page_one(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/?q=a&sort=name&page=2")
    await catalog.load()
    links = {link.label: link for link in catalog.category_links}
    assert list(links)[:2] == ["", "Apparel"] and "Plants" in links  # "" is the all-products chip
    assert links["Plants"].href == "/?q=a&category=Plants&sort=name"
    assert links[""].href == "/?q=a&sort=name" and links[""].current


async def test_catalog_pages_through_24_at_a_time_with_links(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/")
    await catalog.load()
    assert (len(catalog.products), catalog.total, catalog.page, catalog.pages) == (24, 28, 1, 2)
    assert catalog.prev_href == "" and catalog.next_href == "/?page=2"
    assert [(link.label, link.href, link.current) for link in catalog.page_links] == [
        ("1", "/", True), ("2", "/?page=2", False)]
    first_page = {p.slug for p in catalog.products}
    visit(catalog, "/?page=2")
    await catalog.load()
    assert len(catalog.products) == 4 and catalog.page == 2 and catalog.next_href == ""
    assert catalog.prev_href == "/" and not first_page & {p.slug for p in catalog.products}


async def test_catalog_bad_page_values_never_fail(engine):
    catalog = await new_state(CatalogState)
    for raw, expected in [("0", 1), ("-3", 1), ("abc", 1), ("2.5", 1), ("", 1), ("99", 2), ("9" * 400, 2)]:
        visit(catalog, f"/?page={raw}")
        await catalog.load()
        assert not catalog.load_failed and catalog.page == expected, raw
        assert catalog.products


async def test_catalog_load_resends_the_page_only_when_it_changed(engine):
    """The browser already shows this state's page (the prerendered one, or the hydrate's): the same page again is
    not sent, so the grid is not re-rendered; a changed price is, so a stale one never stays on screen."""
    catalog = await new_state(CatalogState)
    visit(catalog, "/")
    await catalog.load()
    catalog._clean()
    await catalog.load()
    assert "products" not in catalog.dirty_vars and "categories" not in catalog.dirty_vars
    assert catalog.live is True
    with Session(engine) as session:
        mug = session.exec(select(Product).where(Product.slug == "ceramic-mug-terracotta")).one()
        mug.price = 9990
        session.add(mug)
        session.commit()
    await catalog.load()
    assert "products" in catalog.dirty_vars
    assert next(p.price for p in catalog.products if p.slug == "ceramic-mug-terracotta") == "$9.990"


async def test_catalog_keeps_no_descriptions_in_the_tab(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/")
    await catalog.load()
    assert not hasattr(catalog.products[0], "description")


async def test_catalog_shows_an_empty_result_for_no_matches(engine):
    catalog = await new_state(CatalogState)
    visit(catalog, "/?q=zzzz-nothing")
    await catalog.load()
    assert catalog.products == [] and catalog.search == "zzzz-nothing"


async def test_product_page_found_and_not_found(engine):
    page = await new_state(ProductState)
    visit(page, "/product/cast-iron-teapot")
    await page.load()
    assert not page.not_found
    assert (page.product.name, page.product.price, page.product.stock_label) == (
        "Cast Iron Teapot", "$32.990", "Only 3 left")
    visit(page, "/product/no-such-thing")
    await page.load()
    assert page.not_found and page.product.name == ""


async def test_the_cart_flags_a_line_that_sold_out_and_sends_only_what_changed(engine):
    cart = await new_state(CartState)
    mug = product_id(engine, "ceramic-mug-terracotta")
    await cart.add_to_cart(mug, 1)
    assert not cart.has_problems
    with Session(engine) as session:
        session.get(Product, mug).stock = 0
        session.commit()
    cart.dirty_vars.clear()
    await cart.load()
    assert cart.has_problems and cart.rows[0].problem == "cart.line_sold_out"
    # Same token, count and subtotal: not re-sent; the rows and the flag that changed are.
    assert {"rows", "has_problems"} <= cart.dirty_vars and not {"token", "item_count", "subtotal"} & cart.dirty_vars
    await cart.remove(mug)
    assert not cart.has_problems and cart.item_count == 0


async def test_the_product_pages_title_and_description_never_name_the_previous_product(engine):
    page = await new_state(ProductState)
    visit(page, "/product/cast-iron-teapot?slug=cast-iron-teapot")
    await page.load()
    assert page.page_title == "Cast Iron Teapot — Pepestore" and "teapot" in page.meta_description.lower()
    # The tab moves on: its state still holds the teapot until the next load.
    visit(page, "/product/wool-beanie?slug=wool-beanie")
    assert page.product.name == "Cast Iron Teapot"
    assert (page.page_title, page.meta_description) == ("Pepestore", page_meta.PRODUCT)
    await page.load()
    assert page.page_title == "Merino Wool Beanie — Pepestore"
