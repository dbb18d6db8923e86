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
from pepestore.i18n import say
from pepestore.models import utcnow
from pepestore.money import format_clp
from pepestore.state.language import language_of, t, t_of
from pepestore.store import photos, products_admin, stock
from pepestore.store.errors import StoreError
from pepestore.upload_gate import MAX_FILES

UPLOAD_ID = "product-photos"
REASONS = list(stock.REASON_LABELS)


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
    order_number: str


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
                                 m.reason, m.note or "", f"/admin/orders/{m.order_id}" if m.order_id else "",
                                 str(m.order_id) if m.order_id else "")
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
    def reasons(self) -> list[str]:
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
            return sign_in_again(await language_of(self))
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
            return sign_in_again(await language_of(self))
        await self._refresh()
        return rx.toast.info(say(await language_of(self), "admin.reloaded"))

    async def _act(self, done: str, action, *args):
        """action(session, *args, member, now, ip) as the signed-in member, off the event loop; done is the key of
        the text that says it worked."""
        member = await self._staff()
        if member is None:
            return None, sign_in_again(await language_of(self))
        try:
            result = await in_db_thread(action, *args, member, utcnow(), self._client_ip())
        except StoreError as refusal:
            if refusal.text is not None and refusal.text.key == products_admin.STALE:
                self.stale = True
            return None, [rx.toast.error(refusal.say(await language_of(self)))]
        if self.product_id:
            await self._refresh()
        return result, [rx.toast.success(say(await language_of(self), done))]

    @rx.event
    async def save(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        if self.product_id == 0:
            created, answer = await self._act("admin.product_created", products_admin.create_product, data)
            if created is None:
                return answer
            return [rx.redirect(f"{LIST_PATH}/{created.id}"), *answer]
        _, answer = await self._act("admin.saved", products_admin.update_product, self.product_id, self._version, data)
        return answer

    @rx.event
    async def adjust_stock(self, form_data: dict):
        if await self._staff() is None:
            return sign_in_again(await language_of(self))
        data = form_data if isinstance(form_data, dict) else {}
        if not self.product_id:
            return rx.toast.error(say(await language_of(self), "admin.save_first"))
        _, answer = await self._act("admin.stock_updated", stock.adjust, self.product_id, data.get("delta"),
                                    data.get("reason"), data.get("note"))
        return answer

    @rx.event
    async def make_main(self, photo_id: int):
        _, answer = await self._act("admin.main_photo_changed", photos.set_main, self.product_id, photo_id)
        return answer

    @rx.event
    async def move_photo(self, photo_id: int, step: int):
        _, answer = await self._act("admin.photo_moved", photos.move, self.product_id, photo_id, step)
        return answer

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        member = await self._staff()
        if member is None:
            return sign_in_again(await language_of(self))
        lang = await language_of(self)
        if not self.product_id:
            return rx.toast.error(say(lang, "admin.save_first_photos"))
        if not isinstance(files, list) or not 0 < len(files) <= MAX_FILES:
            return rx.toast.error(say(lang, "admin.choose_photos", most=MAX_FILES))
        problems, added = [], 0
        for file in files:
            name = (getattr(file, "name", None) or "photo")[:60]
            size = getattr(file, "size", None)
            if isinstance(size, int) and size > photos.MAX_BYTES:  # never read a file we will refuse anyway
                problems.append(say(lang, "admin.file_too_large", name=name))
                continue
            data = await file.read(photos.MAX_BYTES + 1)
            try:
                processed = await asyncio.to_thread(photos.process, data)
                await in_db_thread(photos.add_photo, self.product_id, processed, member, utcnow(), self._client_ip())
                added += 1
            except StoreError as refusal:
                problems.append(f"{name}: {refusal.say(lang)}")
        await self._refresh()
        answer = [rx.clear_selected_files(UPLOAD_ID)]
        if added:
            answer.append(rx.toast.success(say(lang, "admin.photos_added", count=added) if added > 1
                                          else say(lang, "admin.one_photo_added")))
        answer.extend(rx.toast.error(problem) for problem in problems)
        return answer


def _field(label: rx.Var, control: rx.Component, hint: rx.Var | None = None) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control,
                     *([rx.text(hint, size="1", color=rx.color("gray", 10))] if hint is not None else []),
                     spacing="1", width="100%")


def _details_form() -> rx.Component:
    form = ProductEditState.form
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(t("admin.details"), size="3"),
            _field(t("admin.col_name"), rx.input(name="name", default_value=form.name, required=True, max_length=120,
                                    width="100%", id="product-name")),
            _field(t("admin.slug_label"), rx.input(name="slug", default_value=form.slug, max_length=80,
                                                  placeholder=t("admin.slug_placeholder"), width="100%",
                                                  id="product-slug"),
                   t("admin.slug_hint")),
            rx.grid(
                _field(t("admin.col_category"), rx.fragment(
                    rx.input(name="category", default_value=form.category, required=True, max_length=60,
                             list="product-categories", width="100%", id="product-category"),
                    rx.el.datalist(rx.foreach(ProductEditState.categories, lambda c: rx.el.option(value=c)),
                                   id="product-categories")),
                    t("admin.category_hint")),
                _field(t("admin.price_label"), rx.input(name="price", default_value=form.price, required=True,
                                               input_mode="numeric", placeholder="12990", width="100%",
                                               id="product-price"), t("admin.price_hint")),
                columns="2", spacing="3", width="100%",
            ),
            _field(t("admin.description"), rx.text_area(name="description", default_value=form.description,
                                                        max_length=2000,
                                               rows="5", width="100%", id="product-description")),
            rx.el.label(rx.hstack(rx.el.input(type="checkbox", name="published", default_checked=form.published,
                                              id="product-published"),
                                  rx.text(t("admin.published_label"), size="2"), align="center", spacing="2")),
            rx.cond(ProductEditState.stale, rx.callout(
                rx.hstack(rx.text(t("admin.product_stale")), rx.button(t("admin.reload"), size="1", variant="soft",
                                                                    on_click=ProductEditState.reload, type="button"),
                          align="center", spacing="3"),
                icon="triangle_alert", color_scheme="orange", id="stale-warning", width="100%")),
            rx.button(rx.cond(ProductEditState.is_new, t("admin.create_product"), t("admin.save")), type="submit",
                      id="product-save"),
            spacing="3", width="100%",
        ),
        on_submit=ProductEditState.save, key=ProductEditState.version.to_string() + ProductEditState.form.slug,
        id="product-form",
    ), width="100%")


def _photo(photo: PhotoRow) -> rx.Component:
    return rx.card(rx.vstack(
        rx.image(src=photo.url, width="100%", aspect_ratio="1", object_fit="cover", border_radius="6px", alt=""),
        rx.hstack(
            rx.cond(photo.main, rx.badge(t("admin.badge_main"), color_scheme="green"),
                    rx.button(t("admin.make_main"), size="1", variant="soft",
                              on_click=ProductEditState.make_main(photo.id))),
            rx.spacer(),
            rx.icon_button(rx.icon("arrow_left", size=14), size="1", variant="ghost",
                           aria_label=t("admin.move_earlier"),
                           on_click=ProductEditState.move_photo(photo.id, -1)),
            rx.icon_button(rx.icon("arrow_right", size=14), size="1", variant="ghost", aria_label=t("admin.move_later"),
                           on_click=ProductEditState.move_photo(photo.id, 1)),
            width="100%", align="center"),
        rx.text(photo.size, size="1", color=rx.color("gray", 10)),
        spacing="2"), class_name="photo-card")


def _photos() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("admin.photos"), size="3"),
        rx.cond(ProductEditState.photos.length() > 0,
                rx.grid(rx.foreach(ProductEditState.photos, _photo), columns=rx.breakpoints(initial="2", md="4"),
                        spacing="3", width="100%", id="photo-grid"),
                rx.text(t("admin.no_photos"), size="2", color=rx.color("gray", 10))),
        rx.upload.root(
            rx.vstack(rx.icon("image_plus", size=22, color=rx.color("gray", 10)),
                      rx.text(t("admin.drop_photos"), size="2",
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
            rx.button(t("admin.upload"), on_click=ProductEditState.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                      id="upload-photos", loading=ProductEditState.uploading),
            width="100%", wrap="wrap", align="center"),
        spacing="3", width="100%"), width="100%")


def _movement(row: MovementRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"), rx.table.cell(row.delta),
        rx.table.cell(t_of("stock_reason", row.reason)),
        rx.table.cell(rx.cond(row.order_href != "",
                              rx.link(t("admin.order_number", number=row.order_number), href=row.order_href),
                              row.note)),
    )


def _stock() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("admin.stock"), size="3"),
        rx.hstack(rx.text(t("admin.for_sale"), " ", rx.text.strong(ProductEditState.stock, id="stock-now"), size="3"),
                  rx.text(t("admin.held"), " ", rx.text.strong(ProductEditState.held), size="3",
                          color=rx.color("gray", 11)), spacing="5", wrap="wrap"),
        rx.text(t("admin.stock_explain"), size="1", color=rx.color("gray", 10)),
        rx.form(rx.hstack(
            rx.input(name="delta", placeholder=t("admin.delta_placeholder"), required=True, width="110px",
                     id="stock-delta"),
            rx.select.root(rx.select.trigger(placeholder=t("admin.reason"), width="170px"),
                           rx.select.content(rx.foreach(ProductEditState.reasons,
                                                        lambda r: rx.select.item(t_of("stock_reason", r), value=r))),
                           name="reason", default_value="received"),
            rx.input(name="note", placeholder=t("admin.stock_note_placeholder"), max_length=300,
                     width="100%", id="stock-note"),
            rx.button(t("admin.adjust"), type="submit", variant="soft", id="stock-adjust"),
            spacing="2", width="100%", wrap="wrap"), on_submit=ProductEditState.adjust_stock, reset_on_submit=True,
            width="100%", id="stock-form"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k) if k else "") for k in
                                           ("admin.col_when", "admin.col_change", "admin.col_why", "")])),
            rx.table.body(rx.foreach(ProductEditState.movements, _movement)), size="1", width="100%"),
            max_height="320px", overflow_y="auto", width="100%", id="stock-ledger"),
        spacing="3", width="100%"), width="100%")


def product_page() -> rx.Component:
    return admin_page(
        rx.hstack(
            rx.link(t("admin.back_products"), href=LIST_PATH, size="2"),
            rx.spacer(),
            rx.cond(ProductEditState.form.published & ~ProductEditState.is_new,
                    rx.link(t("admin.view_in_shop"), href=ProductEditState.form.shop_href, size="2", is_external=True)),
            width="100%", margin_bottom="8px"),
        rx.heading(rx.cond(ProductEditState.is_new, t("admin.new_product"), ProductEditState.form.name), size="6",
                   margin_bottom="16px"),
        rx.cond(
            ProductEditState.loaded,
            rx.cond(
                ProductEditState.not_found,
                rx.callout(t("cart.no_such_product"), icon="search", id="product-not-found"),
                rx.grid(
                    rx.vstack(_details_form(), spacing="4", width="100%"),
                    rx.vstack(rx.cond(ProductEditState.is_new,
                                      rx.callout(t("admin.create_then_add"), icon="info"),
                                      rx.fragment(_photos(), _stock())),
                              spacing="4", width="100%"),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
    )
