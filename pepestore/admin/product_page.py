"""/admin/products/<id> (and /admin/products/new): edit a product, publish it, its photos and its stock.

Every handler checks the staff session first and hands its untrusted arguments to a service in pepestore/store/
(products_admin, photos, stock), which validates them and writes one transaction with its audit entry. The
version the form was read at stays on the server (`_version`): a save from a stale read is refused by the service.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from pepestore import routes
from pepestore.admin.guard import AdminState, sign_in_again
from pepestore.admin.layout import admin_page
from pepestore.admin.products_page import LIST_PATH
from pepestore.clock import santiago_label
from pepestore.db import in_db_thread, session_scope
from pepestore.models import utcnow
from pepestore.money import format_clp
from pepestore.store import photos, products_admin, stock
from pepestore.store.errors import StoreError
from pepestore.upload_gate import MAX_FILES

UPLOAD_ID = "product-photos"
REASONS = [[key, label] for key, label in stock.REASON_LABELS.items()]


@dataclasses.dataclass
class ProductForm:
    name: str = ""
    slug: str = ""
    description: str = ""
    category: str = ""
    price: str = ""
    published: bool = False
    price_label: str = ""
    shop_href: str = ""


@dataclasses.dataclass
class PhotoRow:
    id: int
    url: str
    main: bool
    size: str


@dataclasses.dataclass
class MovementRow:
    at: str
    delta: str
    reason: str
    note: str
    order_href: str
    order_label: str


@dataclasses.dataclass
class Snapshot:
    form: ProductForm
    version: int
    stock: int
    held: int
    photos: list[PhotoRow]
    movements: list[MovementRow]
    categories: list[str]


def _read(product_id: int) -> Snapshot | None:
    with session_scope() as session:
        categories = products_admin.categories(session)
        if product_id == 0:
            return Snapshot(ProductForm(published=False), 0, 0, 0, [], [], categories)
        try:
            product = products_admin.get_product(session, product_id)
        except StoreError:
            return None
        form = ProductForm(product.name, product.slug, product.description, product.category, str(product.price),
                           product.active, format_clp(product.price), routes.product(product.slug))
        shown = [PhotoRow(p.id, photos.photo_url(p.digest), p.is_main, f"{p.width} x {p.height}")
                 for p in photos.photos_of(session, product.id)]
        movements = [MovementRow(santiago_label(m.created_at), f"{m.delta:+d}",
                                 stock.REASON_LABELS.get(m.reason, m.reason.replace("_", " ").capitalize()),
                                 m.note or "", f"/admin/orders/{m.order_id}" if m.order_id else "",
                                 f"order #{m.order_id}" if m.order_id else "")
                     for m in stock.history(session, product.id)]
        return Snapshot(form, product.version, product.stock, stock.held_by_orders(session, product.id), shown,
                        movements, categories)


class ProductEditState(AdminState):
    product_id: int = 0
    form: ProductForm = ProductForm()
    version: int = 0
    stock: int = 0
    held: int = 0
    photos: list[PhotoRow] = []
    movements: list[MovementRow] = []
    categories: list[str] = []
    loaded: bool = False
    not_found: bool = False
    stale: bool = False
    uploading: bool = False
    _version: int = 0

    @rx.var
    def is_new(self) -> bool:
        return self.product_id == 0

    @rx.var
    def reasons(self) -> list[list[str]]:
        return REASONS

    def _id_from_url(self) -> int | None:
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        if raw == "new":
            return 0
        return int(raw) if raw.isdigit() and 0 < len(raw) < 12 else None

    async def _refresh(self) -> None:
        found = await asyncio.to_thread(_read, self.product_id)
        self.loaded = True
        self.not_found = found is None
        if found is not None:
            self.form, self.stock, self.held = found.form, found.stock, found.held
            self.photos, self.movements, self.categories = found.photos, found.movements, found.categories
            self.version = self._version = found.version
            self.stale = False

    @rx.event
    async def load(self):
        if await self._staff() is None:
            return sign_in_again()
        wanted = self._id_from_url()
        self.loaded, self.stale = False, False
        if wanted is None:
            self.loaded, self.not_found = True, True
            return None
        self.product_id = wanted
        await self._refresh()
        return None

    @rx.event
    async def reload(self):
        if await self._staff() is None:
            return sign_in_again()
        await self._refresh()
        return rx.toast.info("Reloaded: you are editing the latest version.")

    async def _act(self, done: str, action, *args):
        member = await self._staff()
        if member is None:
            return None, sign_in_again()
        try:
            result = await in_db_thread(action, *args, member, utcnow(), self._client_ip())
        except StoreError as refusal:
            if refusal.message == products_admin.STALE:
                self.stale = True
            return None, [rx.toast.error(refusal.message)]
        if self.product_id:
            await self._refresh()
        return result, [rx.toast.success(done)]

    @rx.event
    async def save(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        if self.product_id == 0:
            created, answer = await self._act("Product created.", products_admin.create_product, data)
            if created is None:
                return answer
            return [rx.redirect(f"{LIST_PATH}/{created.id}"), *answer]
        _, answer = await self._act("Saved.", products_admin.update_product, self.product_id, self._version, data)
        return answer

    @rx.event
    async def adjust_stock(self, form_data: dict):
        if await self._staff() is None:
            return sign_in_again()
        data = form_data if isinstance(form_data, dict) else {}
        if not self.product_id:
            return rx.toast.error("Save the product first.")
        _, answer = await self._act("Stock updated.", stock.adjust, self.product_id, data.get("delta"),
                                    data.get("reason"), data.get("note"))
        return answer

    @rx.event
    async def make_main(self, photo_id: int):
        _, answer = await self._act("Main photo changed.", photos.set_main, self.product_id, photo_id)
        return answer

    @rx.event
    async def move_photo(self, photo_id: int, step: int):
        _, answer = await self._act("Photo moved.", photos.move, self.product_id, photo_id, step)
        return answer

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        member = await self._staff()
        if member is None:
            return sign_in_again()
        if not self.product_id:
            return rx.toast.error("Save the product first, then add its photos.")
        if not isinstance(files, list) or not 0 < len(files) <= MAX_FILES:
            return rx.toast.error(f"Choose 1 to {MAX_FILES} photos.")
        problems, added = [], 0
        for file in files:
            name = (getattr(file, "name", None) or "photo")[:60]
            size = getattr(file, "size", None)
            if isinstance(size, int) and size > photos.MAX_BYTES:  # never read a file we will refuse anyway
                problems.append(f"{name}: larger than 10 MB.")
                continue
            data = await file.read(photos.MAX_BYTES + 1)
            try:
                processed = await asyncio.to_thread(photos.process, data)
                await in_db_thread(photos.add_photo, self.product_id, processed, member, utcnow(), self._client_ip())
                added += 1
            except StoreError as refusal:
                problems.append(f"{name}: {refusal.message}")
        await self._refresh()
        answer = [rx.clear_selected_files(UPLOAD_ID)]
        if added:
            answer.append(rx.toast.success(f"{added} photo{'s' if added > 1 else ''} added."))
        answer.extend(rx.toast.error(problem) for problem in problems)
        return answer


def _field(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control,
                     *([rx.text(hint, size="1", color=rx.color("gray", 10))] if hint else []),
                     spacing="1", width="100%")


def _details_form() -> rx.Component:
    form = ProductEditState.form
    return rx.card(rx.form(
        rx.vstack(
            rx.heading("Details", size="3"),
            _field("Name", rx.input(name="name", default_value=form.name, required=True, max_length=120,
                                    width="100%", id="product-name")),
            _field("Web address (slug)", rx.input(name="slug", default_value=form.slug, max_length=80,
                                                  placeholder="made from the name", width="100%", id="product-slug"),
                   "Lowercase letters, digits and hyphens. Leave empty to make it from the name."),
            rx.grid(
                _field("Category", rx.fragment(
                    rx.input(name="category", default_value=form.category, required=True, max_length=60,
                             list="product-categories", width="100%", id="product-category"),
                    rx.el.datalist(rx.foreach(ProductEditState.categories, lambda c: rx.el.option(value=c)),
                                   id="product-categories")),
                    "Choose one, or type a new category."),
                _field("Price (CLP)", rx.input(name="price", default_value=form.price, required=True,
                                               input_mode="numeric", placeholder="12990", width="100%",
                                               id="product-price"), "Whole pesos, from $1 to $7.000.000."),
                columns="2", spacing="3", width="100%",
            ),
            _field("Description", rx.text_area(name="description", default_value=form.description, max_length=2000,
                                               rows="5", width="100%", id="product-description")),
            rx.el.label(rx.hstack(rx.el.input(type="checkbox", name="published", default_checked=form.published,
                                              id="product-published"),
                                  rx.text("Published: shown in the shop", size="2"), align="center", spacing="2")),
            rx.cond(ProductEditState.stale, rx.callout(
                rx.hstack(rx.text(products_admin.STALE), rx.button("Reload", size="1", variant="soft",
                                                                    on_click=ProductEditState.reload, type="button"),
                          align="center", spacing="3"),
                icon="triangle_alert", color_scheme="orange", id="stale-warning", width="100%")),
            rx.button(rx.cond(ProductEditState.is_new, "Create product", "Save"), type="submit", id="product-save"),
            spacing="3", width="100%",
        ),
        on_submit=ProductEditState.save, key=ProductEditState.version.to_string() + ProductEditState.form.slug,
        id="product-form",
    ), width="100%")


def _photo(photo: PhotoRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.image(src=photo.url, width="100%", aspect_ratio="1", object_fit="cover", border_radius="6px", alt=""),
        rx.hstack(
            rx.cond(photo.main, rx.badge("main", color_scheme="green"),
                    rx.button("Make main", size="1", variant="soft", on_click=ProductEditState.make_main(photo.id))),
            rx.spacer(),
            rx.icon_button(rx.icon("arrow_left", size=14), size="1", variant="ghost", aria_label="Move earlier",
                           on_click=ProductEditState.move_photo(photo.id, -1)),
            rx.icon_button(rx.icon("arrow_right", size=14), size="1", variant="ghost", aria_label="Move later",
                           on_click=ProductEditState.move_photo(photo.id, 1)),
            width="100%", align="center"),
        rx.text(photo.size, size="1", color=rx.color("gray", 10)),
        spacing="2"), class_name="photo-card")


def _photos() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Photos", size="3"),
        rx.cond(ProductEditState.photos.length() > 0,
                rx.grid(rx.foreach(ProductEditState.photos, _photo), columns=rx.breakpoints(initial="2", md="4"),
                        spacing="3", width="100%", id="photo-grid"),
                rx.text("No photos yet: the shop shows a placeholder.", size="2", color=rx.color("gray", 10))),
        rx.upload.root(
            rx.vstack(rx.icon("image_plus", size=22, color=rx.color("gray", 10)),
                      rx.text("Drop JPEG, PNG or WebP photos here, or click to choose (10 MB, 40 MP each)", size="2",
                              color=rx.color("gray", 11)),
                      align="center", spacing="1"),
            id=UPLOAD_ID, accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
            max_files=MAX_FILES, max_size=photos.MAX_BYTES, multiple=True,
            border=f"1px dashed {rx.color('gray', 7)}", padding="20px", border_radius="8px", width="100%",
            cursor="pointer",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name, variant="soft")),
            rx.spacer(),
            rx.button("Upload", on_click=ProductEditState.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                      id="upload-photos", loading=ProductEditState.uploading),
            width="100%", wrap="wrap", align="center"),
        spacing="3", width="100%"), width="100%")


def _movement(row: MovementRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"), rx.table.cell(row.delta), rx.table.cell(row.reason),
        rx.table.cell(rx.cond(row.order_href != "", rx.link(row.order_label, href=row.order_href), row.note)),
    )


def _stock() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Stock", size="3"),
        rx.hstack(rx.text("For sale: ", rx.text.strong(ProductEditState.stock, id="stock-now"), size="3"),
                  rx.text("Held by open orders: ", rx.text.strong(ProductEditState.held), size="3",
                          color=rx.color("gray", 11)), spacing="5", wrap="wrap"),
        rx.text("Units in orders waiting for payment or for shipping are already out of the stock for sale, so an "
                "adjustment can remove at most what is for sale.", size="1", color=rx.color("gray", 10)),
        rx.form(rx.hstack(
            rx.input(name="delta", placeholder="+12 or -2", required=True, width="110px", id="stock-delta"),
            rx.select.root(rx.select.trigger(placeholder="Reason", width="170px"),
                           rx.select.content(rx.foreach(ProductEditState.reasons,
                                                        lambda r: rx.select.item(r[1], value=r[0]))),
                           name="reason", default_value="received"),
            rx.input(name="note", placeholder="Note (needed for count correction and other)", max_length=300,
                     width="100%", id="stock-note"),
            rx.button("Adjust", type="submit", variant="soft", id="stock-adjust"),
            spacing="2", width="100%", wrap="wrap"), on_submit=ProductEditState.adjust_stock, reset_on_submit=True,
            width="100%", id="stock-form"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(n) for n in ("When", "Change", "Why", "")])),
            rx.table.body(rx.foreach(ProductEditState.movements, _movement)), size="1", width="100%"),
            max_height="320px", overflow_y="auto", width="100%", id="stock-ledger"),
        spacing="3", width="100%"), width="100%")


def product_page() -> rx.Component:
    return admin_page(
        rx.hstack(
            rx.link("← Products", href=LIST_PATH, size="2"),
            rx.spacer(),
            rx.cond(ProductEditState.form.published & ~ProductEditState.is_new,
                    rx.link("View in the shop", href=ProductEditState.form.shop_href, size="2", is_external=True)),
            width="100%", margin_bottom="8px"),
        rx.heading(rx.cond(ProductEditState.is_new, "New product", ProductEditState.form.name), size="6",
                   margin_bottom="16px"),
        rx.cond(
            ProductEditState.loaded,
            rx.cond(
                ProductEditState.not_found,
                rx.callout("That product does not exist.", icon="search", id="product-not-found"),
                rx.grid(
                    rx.vstack(_details_form(), spacing="4", width="100%"),
                    rx.vstack(rx.cond(ProductEditState.is_new,
                                      rx.callout("Create the product, then add its photos and stock.", icon="info"),
                                      rx.fragment(_photos(), _stock())),
                              spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
    )
