"""Catalog management clicked through as staff and a shopper use it: a member signs in, creates a product, uploads
its photo (a JPEG with GPS in its EXIF), stocks and publishes it; a shopper finds it in the catalog, sees a price
change arrive without reloading, and buys it in the sandbox; unpublishing takes it off the shopper's open page."""

from __future__ import annotations

import io
import os
import re
import shutil

import pytest
from PIL import Image
from playwright.sync_api import expect

from pepestore.settings import PROJECT_ROOT
from tests.browser.admin import buy, create_staff, new_context, new_page, sign_in
from tests.browser.shop import card, choose_language, open_catalog, toast
from tests.browser.store_db import StoreDB
from tests.browser.store_process import ARTIFACTS

MEMBER = "bodega.catalogo@example.cl"
NAME = "Bolso de Lona Valparaíso"
SLUG = "bolso-de-lona-valparaiso"
DOCS = PROJECT_ROOT / "docs"


@pytest.fixture(scope="module")
def member(store_url, store_database_url) -> str:
    create_staff(store_database_url, MEMBER, "staff")
    return MEMBER


@pytest.fixture
def db(store_database_url):
    store_db = StoreDB(store_database_url)
    yield store_db
    store_db.close()


def phone_photo(tmp_path) -> str:
    """A JPEG as a phone takes it: big, with the place it was taken in its EXIF."""
    source = Image.open(PROJECT_ROOT / "assets" / "products" / "canvas-tote-bag.webp").convert("RGB")
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (33.0, 2.0, 0.0), 3: "W", 4: (71.0, 37.0, 0.0)}  # Valparaíso
    path = tmp_path / "IMG_2041.jpg"
    source.resize((2000, 2000)).save(path, "JPEG", quality=90, exif=exif)
    return str(path)


def save_details(page, **fields) -> None:
    for field, value in fields.items():
        if field == "published":
            box = page.locator("#product-published")
            box.check() if value else box.uncheck()
        else:
            page.locator(f"#product-{field}").fill(value)
    page.locator("#product-save").click()


def test_staff_create_a_product_with_a_photo_and_a_shopper_buys_it(browser, member, store_url, db, tmp_path):
    staff_context = new_context(browser)
    shopper_context = new_context(browser)
    try:
        admin = new_page(staff_context, store_url)
        sign_in(admin, member)
        admin.locator("a", has_text="Products").first.click()
        admin.wait_for_url(re.compile(r"/admin/products/?$"))
        expect(admin.locator(".product-row").first).to_be_visible()
        admin.locator("#new-product").click()
        admin.wait_for_url(re.compile(r"/admin/products/new$"))
        expect(admin.locator("#product-name")).to_be_visible()
        save_details(admin, name=NAME, category="Home", price="19990", published=False,
                     description="Heavy canvas tote sewn in Valparaíso; inside pocket, long handles.")
        admin.wait_for_url(re.compile(r"/admin/products/\d+$"))
        expect(admin.locator("#product-slug")).to_have_value(SLUG)

        # Hidden until published: the shop does not know it yet.
        shopper = new_page(shopper_context, store_url)
        shopper.goto(f"{store_url}/product/{SLUG}")
        expect(shopper.locator("#product-not-found")).to_be_visible()

        admin.locator('input[type="file"]').set_input_files(phone_photo(tmp_path))
        admin.locator("#upload-photos").click()
        expect(toast(admin, "1 photo added.")).to_be_visible()
        expect(admin.locator(".photo-card")).to_have_count(1)
        expect(admin.locator(".photo-card").get_by_text("main")).to_be_visible()
        admin.locator("#stock-delta").fill("5")
        admin.locator("#stock-note").fill("first delivery from the workshop")
        admin.locator("#stock-adjust").click()
        expect(admin.locator("#stock-now")).to_have_text("5")
        save_details(admin, published=True)
        expect(toast(admin, "Saved.").last).to_be_visible()

        # The shopper finds it, with the uploaded photo (re-encoded, at its content-hashed URL).
        open_catalog(shopper, "?q=Valpara")
        item = card(shopper, SLUG)
        expect(item).to_be_visible()
        src = item.locator("img").first.get_attribute("src")
        assert re.search(r"/media/products/[0-9a-f]{40}-480\.webp$", src), src
        photo = shopper.request.get(store_url + src)
        assert photo.status == 200 and photo.headers["cache-control"] == "public, max-age=31536000, immutable"
        served = Image.open(io.BytesIO(photo.body()))
        assert served.format == "WEBP" and not served.getexif() and b"Exif" not in photo.body()

        # A price change reaches the open catalog without a reload.
        save_details(admin, price="17990")
        expect(toast(admin, "Saved.").last).to_be_visible()
        expect(item.locator(".product-price")).to_have_text("$17.990", timeout=20_000)

        token = buy(browser, store_url, "catalina.rojas@example.cl", SLUG)
        paid = db.order(token)
        assert paid.total == 17990 and db.stock(SLUG) == 4

        # Unpublishing takes it off an open product page, without a reload; the paid order still reads it.
        shopper.goto(f"{store_url}/product/{SLUG}")
        expect(shopper.locator("#product-price")).to_have_text("$17.990")
        admin.reload()
        expect(admin.locator("#product-published")).to_be_checked()
        admin.wait_for_load_state("networkidle")
        admin.mouse.move(0, 0)
        shot = admin.screenshot(full_page=True)
        (ARTIFACTS / "admin-product.png").write_bytes(shot)
        if os.environ.get("PEPESTORE_DOCS_SCREENSHOTS") == "1":
            shutil.copyfile(ARTIFACTS / "admin-product.png", DOCS / "admin-product.png")
        save_details(admin, published=False)
        expect(toast(admin, "Saved.").last).to_be_visible()
        expect(shopper.locator("#product-not-found")).to_be_visible(timeout=20_000)
        shopper.goto(f"{store_url}/order/{token}")
        expect(shopper.get_by_text(NAME)).to_be_visible()
    finally:
        staff_context.close()
        shopper_context.close()


def hidden_product(db, member_email: str, name: str = "Poncho Two Tabs", slug: str = "poncho-two-tabs") -> int:
    """A product of this test's own, unpublished, so no other test's catalog or prices change under it."""
    from sqlmodel import Session, select

    from pepestore.models import utcnow
    from pepestore.staff_models import Staff
    from pepestore.store import products_admin
    from pepestore.store.staff import StaffMember

    with Session(db.engine, expire_on_commit=False) as session:
        row = session.exec(select(Staff).where(Staff.email == member_email)).one()
        product = products_admin.create_product(
            session, {"name": name, "slug": slug, "description": "", "category": "Home",
                      "price": "12990", "published": ""}, StaffMember(row.id, row.email, row.role), utcnow())
        session.commit()
        return product.id


def test_a_second_save_of_the_same_version_is_refused(browser, member, store_url, db):
    product_id = hidden_product(db, member)
    contexts = [new_context(browser), new_context(browser)]
    try:
        first, second = (new_page(context, store_url) for context in contexts)
        for page in (first, second):
            sign_in(page, member)
            page.goto(f"{store_url}/admin/products/{product_id}")
            expect(page.locator("#product-price")).to_have_value("12990")
        save_details(first, price="13990")
        expect(toast(first, "Saved.").last).to_be_visible()
        save_details(second, price="11990")
        expect(second.locator("#stale-warning")).to_contain_text("changed by someone else")
        assert db.product_price("poncho-two-tabs") == 13990
        second.locator("#stale-warning").get_by_role("button", name="Reload").click()
        expect(second.locator("#product-price")).to_have_value("13990")
    finally:
        for context in contexts:
            context.close()


def test_the_product_editor_speaks_spanish_to_a_member_who_did_not_choose_english(browser, member, store_url, db):
    product_id = hidden_product(db, member, name="Chal de Chiloé", slug="chal-de-chiloe")
    context = new_context(browser)
    try:
        page = new_page(context, store_url)
        sign_in(page, member)
        choose_language(context, store_url, "es-CL")
        page.goto(f"{store_url}/admin/products/{product_id}")
        expect(page.locator("#product-price")).to_have_value("12990")
        expect(page).to_have_title("Producto — Administración de Pepestore")
        expect(page.get_by_text("Dirección web (slug)")).to_be_visible()
        expect(page.locator("#product-save")).to_have_text("Guardar")
        expect(page.get_by_text("Aún no hay fotos: la tienda muestra una imagen genérica.")).to_be_visible()
        page.locator("#stock-delta").fill("-5")
        page.locator("#stock-adjust").click()
        expect(toast(page, "Solo hay 0 unidades a la venta, así que puedes quitar a lo más 0.")).to_be_visible()
        page.locator("#stock-delta").fill("8")
        page.locator("#stock-note").fill("llegaron del taller")
        page.locator("#stock-adjust").click()
        expect(toast(page, "Stock actualizado.")).to_be_visible()
        expect(page.locator("#stock-now")).to_have_text("8")
        expect(page.locator("#stock-ledger").get_by_text("Recibido")).to_be_visible()
        expect(page.locator("#stock-ledger").get_by_text("Saldo inicial")).to_be_visible()
        page.wait_for_load_state("networkidle")
        (ARTIFACTS / "admin-product-es.png").write_bytes(page.screenshot(full_page=True))
        page.goto(f"{store_url}/admin/products")
        expect(page.locator("#products-table")).to_contain_text("Categoría")
        expect(page.locator("#new-product")).to_have_text("Nuevo producto")
    finally:
        context.close()
