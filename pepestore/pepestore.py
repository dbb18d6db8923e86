"""Wiring only: the app, its pages and their load events."""

from pathlib import Path

import reflex as rx
from reflex.utils.prerequisites import get_web_dir
from reflex_base import constants

from pepestore import page_meta, routes
from functools import partial

from pepestore.admin.dashboard import DashboardState, dashboard_page
from pepestore.admin.login_page import LoginState, login_page
from pepestore.admin.order_page import OrderDetailState, order_detail_page
from pepestore.admin.orders_page import OrderListState, orders_page
from pepestore.admin.staff_page import StaffState, staff_page
from pepestore.admin.product_page import ProductEditState, product_page as admin_product_page
from pepestore.admin.products_page import ProductListState, products_page
from pepestore.api import build_api, on_order_changed, run_sandbox_webhooks
from pepestore.event_limit import install_event_limit
from pepestore.one_update import install_one_update
from pepestore.mail.sender import run_mail_sender
from pepestore.pages.cart import cart_page
from pepestore.pages.catalog import catalog_page
from pepestore.pages.not_found import not_found_page
from pepestore.pages.order import order_page
from pepestore.payments.reconcile import run_reconciler
from pepestore.pages.product import early_product_page, product_page
from pepestore.early_product import EarlyProductPages
from pepestore.i18n import DEFAULT as DEFAULT_LANGUAGE, say
from pepestore.state.cart import CartState
from pepestore.state.language import LANG_SCRIPT
from pepestore.state.catalog import CatalogState, prime_first_page
from pepestore.state.order import OrderState, push_order_update
from pepestore.state.live import LiveCatalogState
from pepestore.state.product import ProductState
from pepestore.security_headers import SecurityHeaders
from pepestore.static_cache import StaticCaching
from pepestore.settings import get_settings
from pepestore.shutdown import certain_exit
from pepestore.state_manager import install_steady_disk_state_manager
from pepestore.upload_gate import UploadGate


def frontend_build_dir() -> Path:
    # Where `reflex run --env prod` mounts the built frontend from (REFLEX_WEB_WORKDIR moves it).
    return get_web_dir() / constants.Dirs.STATIC


app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
                     # An English reader's choice (a cookie) sets <html lang="en"> before the page paints. A plain
                     # <script> in the prerendered <head>, its text as inner HTML (React escapes a script's text
                     # children): rx.script went through react-helmet, which adds it only after hydration, so until
                     # then every prerendered page said lang="es-CL" to an English reader.
                     rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": LANG_SCRIPT}})],
    html_lang=DEFAULT_LANGUAGE,  # es-CL: what the prerendered pages say
    # The store's routes, the upload gate, then the security headers around everything, the mounted frontend's
    # pages included, and the frontend's cache lifetimes.
    # Product pages are answered with the product already in their HTML (pepestore/early_product.py).
    api_transformer=[build_api(), partial(EarlyProductPages, static_dir=frontend_build_dir), UploadGate,
                     SecurityHeaders, partial(StaticCaching, static_dir=frontend_build_dir)],
)
install_event_limit(app)
install_one_update(app)  # a delta and the toast that follows it in one websocket message
install_steady_disk_state_manager(app)  # without Redis: tabs' states written in batches
app.register_lifespan_task(certain_exit)  # after Reflex's event processor: left first at shutdown
app.register_lifespan_task(run_reconciler)
if get_settings().mail_mode != "off":
    app.register_lifespan_task(run_mail_sender)  # receipts and order emails from the outbox
if get_settings().fintoc_sandbox:
    app.register_lifespan_task(run_sandbox_webhooks)
on_order_changed(partial(push_order_update, app))

# Before the pages compile: the catalog's first page becomes its prerendered, initial content.
prime_first_page()
app.add_page(catalog_page, route=routes.CATALOG, title=say(DEFAULT_LANGUAGE, "title.catalog"),
             on_load=[CartState.load, CatalogState.load, LiveCatalogState.watch], description=page_meta.CATALOG)
app.add_page(product_page, route=routes.PRODUCT, title=ProductState.page_title,
             on_load=[CartState.load, ProductState.load, LiveCatalogState.watch],
             description=ProductState.meta_description)
# Templates of the product page's early copy, prerendered per language and never served as pages themselves.
for _language, _route in routes.EARLY_PRODUCT.items():
    app.add_page(early_product_page(_language), route=_route, title="Pepestore")
app.add_page(cart_page, route=routes.CART, title=say(DEFAULT_LANGUAGE, "title.cart"), on_load=CartState.load,
             description=page_meta.CART)
app.add_page(order_page, route=routes.ORDER, title=say(DEFAULT_LANGUAGE, "title.order"),
             on_load=[CartState.load, OrderState.load])
# The back office: every page checks the staff session on the server (pepestore/admin/guard.py). Its pages send
# their origin on same-origin requests (the site-wide policy is no-referrer, under which a browser's form post says
# Origin: null), so sign-in and sign-out can refuse any other origin.
ADMIN_META = [{"name": "referrer", "content": "same-origin"}]
app.add_page(login_page, route="/admin/login", title=say(DEFAULT_LANGUAGE, "title.admin_login"),
             on_load=LoginState.load, meta=ADMIN_META)
app.add_page(dashboard_page, route="/admin", title=say(DEFAULT_LANGUAGE, "title.admin_dashboard"),
             on_load=DashboardState.load, meta=ADMIN_META)
app.add_page(orders_page, route="/admin/orders", title=say(DEFAULT_LANGUAGE, "title.admin_orders"),
             on_load=OrderListState.load, meta=ADMIN_META)
app.add_page(order_detail_page, route="/admin/orders/[number]", title=say(DEFAULT_LANGUAGE, "title.admin_order"),
             on_load=OrderDetailState.load, meta=ADMIN_META)
app.add_page(products_page, route="/admin/products", title=say(DEFAULT_LANGUAGE, "title.admin_products"),
             on_load=ProductListState.load, meta=ADMIN_META)
app.add_page(admin_product_page, route="/admin/products/[product]",
             title=say(DEFAULT_LANGUAGE, "title.admin_product"), on_load=ProductEditState.load, meta=ADMIN_META)
app.add_page(staff_page, route="/admin/staff", title=say(DEFAULT_LANGUAGE, "title.admin_staff"),
             on_load=StaffState.load, meta=ADMIN_META)
app.add_page(not_found_page, route="404", title=say(DEFAULT_LANGUAGE, "title.not_found"), on_load=CartState.load)
