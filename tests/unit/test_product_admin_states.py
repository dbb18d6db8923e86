"""The product pages' handlers: a tab without a staff session gets no data and changes nothing, whatever it sends;
a signed-in member's actions go through the services; a stale save shows the reload warning."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reflex.istate.data import RouterData
from sqlmodel import select

from pepestore.admin.product_page import ProductEditState
from pepestore.admin.products_page import ProductListState
from pepestore.admin.routes import COOKIE
from pepestore.catalog_models import ProductPhoto
from pepestore.limits import get_limiter
from pepestore.models import Product, utcnow
from pepestore.state.language import LanguageState
from pepestore.staff_models import AuditEntry
from pepestore.store import staff
from tests.unit.reflex_helpers import new_state, toasts

FORM = {"name": "Manta de Castro", "slug": "", "description": "Wool.", "category": "Home", "price": "45990",
        "published": "on"}


class Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self.size, self._data = name, len(data), data

    async def read(self, limit: int = -1) -> bytes:
        return self._data[:limit] if limit >= 0 else self._data


def at(state, path: str, token: str | None) -> None:
    headers = {"origin": "http://localhost:3000", **({"cookie": f"{COOKIE}={token}"} if token else {})}
    root = state._get_root_state()
    root.router = RouterData.from_router_data({"headers": headers, "pathname": path, "asPath": path, "query": {}})


@pytest.fixture
def token(session):
    staff.create_staff(session, "ana@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    signed, _ = staff.login(session, "ana@pepestore.cl", "correct horse battery", utcnow(), get_limiter())
    session.commit()
    return signed


def redirected_to_login(result) -> bool:
    return any("/admin/login" in str(getattr(spec, "args", "")) for spec in result) and \
        ("error", "Ingresa a la administración para continuar.") in toasts(result)


async def test_without_a_staff_session_every_handler_refuses_and_writes_nothing(session):
    beanie = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    edit = await new_state(ProductEditState)
    at(edit, f"/admin/products/{beanie.id}", "not-a-valid-session-token-at-all")
    assert redirected_to_login(await edit.load()) and edit.form.name == ""
    edit.product_id, edit._version = beanie.id, beanie.version
    for call in (edit.save(FORM), edit.adjust_stock({"delta": "-5", "reason": "damaged"}), edit.make_main(1),
                 edit.move_photo(1, 1), edit.upload([Upload("a.jpg", b"x")]), edit.reload()):
        assert redirected_to_login(await call)
    edit.product_id = 0  # a "new product" tab: still the login page first, before any other answer
    assert redirected_to_login(await edit.adjust_stock({"delta": "1", "reason": "received"}))
    assert redirected_to_login(await edit.upload([Upload("a.jpg", b"x")]))
    listing = await new_state(ProductListState)
    at(listing, "/admin/products", None)
    assert redirected_to_login(await listing.load()) and listing.rows == []
    session.expire_all()
    assert session.get(Product, beanie.id).stock == beanie.stock and session.get(Product, beanie.id).version == 1
    assert session.exec(select(AuditEntry).where(AuditEntry.action.like("product%"))).all() == []


async def test_staff_create_edit_and_a_stale_save_asks_for_a_reload(session, token):
    new = await new_state(ProductEditState)
    at(new, "/admin/products/new", token)
    await new.load()
    assert new.is_new and new.loaded
    result = await new.save(FORM)
    created = session.exec(select(Product).where(Product.slug == "manta-de-castro")).one()
    assert f"/admin/products/{created.id}" in str(result[0].args) and ("success", "Producto creado.") in toasts(result)

    first, second = await new_state(ProductEditState), await new_state(ProductEditState)
    for tab in (first, second):
        at(tab, f"/admin/products/{created.id}", token)
        await tab.load()
    assert toasts(await first.save({**FORM, "price": "49990"})) == [("success", "Guardado.")]
    refused = await second.save({**FORM, "price": "39990"})
    assert "Alguien más cambió este producto" in toasts(refused)[0][1] and second.stale
    session.expire_all()
    assert session.get(Product, created.id).price == 49990
    await second.reload()
    assert not second.stale and second.version == 2
    (await second.get_state(LanguageState)).set_language("en")  # the same save, for a member reading English
    assert toasts(await second.save({**FORM, "price": "39990"})) == [("success", "Saved.")]


async def test_staff_upload_photos_and_bad_files_are_named_in_the_refusal(session, token):
    beanie = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    edit = await new_state(ProductEditState)
    at(edit, f"/admin/products/{beanie.id}", token)
    await edit.load()
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (10, 120, 60)).save(out, "JPEG")
    result = await edit.upload([Upload("good.jpg", out.getvalue()), Upload("notes.jpg", b"just text"),
                                Upload("huge.jpg", b"\0" * (10 * 1024 * 1024 + 1))])
    messages = toasts(result)
    assert ("success", "1 foto agregada.") in messages
    assert ("error", "notes.jpg: Sube una foto JPEG, PNG o WebP de 40 megapíxeles como máximo.") in messages
    assert ("error", "huge.jpg: pesa más de 10 MB.") in messages
    assert len(edit.photos) == 1 and edit.photos[0].main
    assert session.exec(select(ProductPhoto).where(ProductPhoto.product_id == beanie.id)).one()
    assert toasts(await edit.adjust_stock({"delta": "+4", "reason": "received", "note": ""})) == \
        [("success", "Stock actualizado.")]
    assert edit.stock == beanie.stock + 4 and edit.movements[0].delta == "+4"
    assert toasts(await edit.upload("not a list"))[0][0] == "error"
