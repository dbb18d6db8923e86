"""The back office clicked through in headless Chromium as staff use it: accounts from the command line, signing in
and out, finding, watching, shipping and refunding sandbox orders, staff management by role, the CSV export, screenshots."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from pepestore.admin.routes import COOKIE, CSV_COLUMNS
from pepestore.settings import PROJECT_ROOT
from tests.browser.admin import (
    PASSWORD, buy, count, create_staff, mark_shipped, new_context, new_page, open_dashboard, open_order,
    open_widget, order_rows, pay_with, search_orders, session_cookie, sign_in, submit_login, timeline,
)
from tests.browser.shop import toast
from tests.browser.store_db import StoreDB
from tests.browser.store_process import ARTIFACTS

OWNER = "owner.backoffice@example.cl"
LOGIN_URL = re.compile(r"/admin/login/?$")


@pytest.fixture(scope="module")
def owner(store_url, store_database_url) -> str:
    create_staff(store_database_url, OWNER, "owner")
    return OWNER


@pytest.fixture
def db(store_url, store_database_url):
    store_db = StoreDB(store_database_url)
    yield store_db
    store_db.close()


def unauthenticated_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.read()


def test_an_owner_made_on_the_command_line_signs_in_and_sees_the_counts(page, owner):
    sign_in(page, owner)
    for card in ("count-review", "count-to-ship", "count-needs-refund", "count-pending"):
        assert count(page, card) >= 0
    expect(page.locator("#paid-today .rt-Heading")).to_have_text(re.compile(r"^\$[\d.]+$"))
    expect(page.get_by_role("link", name="Staff", exact=True)).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    assert page.evaluate("document.cookie").find(COOKIE) == -1, "page scripts must not see the session"


def test_a_wrong_password_gets_the_generic_refusal_and_no_session(page, owner):
    response = submit_login(page, owner, "not the right password")
    assert response.status == 401
    expect(page.get_by_role("heading", name="Could not sign in")).to_be_visible()
    expect(page.get_by_text("Email or password is not right.")).to_be_visible()
    assert session_cookie(page.context) is None
    # An unknown email reads exactly the same.
    assert submit_login(page, "nobody@example.cl", "not the right password").status == 401
    expect(page.get_by_text("Email or password is not right.")).to_be_visible()
    page.goto(page.store_url + "/admin")
    page.wait_for_url(LOGIN_URL)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(page, owner, store_database_url):
    victim = "locked.out@example.cl"  # its own account, so the other tests can still sign in
    create_staff(store_database_url, victim, "staff")
    for attempt in range(5):
        assert submit_login(page, victim, f"wrong password number {attempt}").status == 401
    response = submit_login(page, victim, PASSWORD)
    assert response.status == 429
    expect(page.get_by_text("Too many failed attempts. Try again in 15 minutes.")).to_be_visible()
    assert session_cookie(page.context) is None
    # The lock is per account: the owner still signs in from the same address.
    sign_in(page, owner)


def test_the_owner_finds_a_paid_order_and_ships_it(browser, page, owner, store_url, db):
    sign_in(page, owner)
    to_ship = count(page, "count-to-ship")
    token = buy(browser, store_url, "camila.rojas@example.cl", "olive-oil-huasco", "boldo-herbal-tea-tin")
    number = db.order(token).id

    open_dashboard(page)
    assert count(page, "count-to-ship") == to_ship + 1
    search_orders(page, "camila.rojas")
    expect(order_rows(page)).to_have_count(1)
    expect(order_rows(page).first).to_contain_text("Paid")
    expect(order_rows(page).first).to_contain_text("$17.980")
    open_order(page, number)
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "paid")
    expect(page.locator("#detail-total")).to_have_text("$17.980")
    lines = page.get_by_role("table").filter(has_text="Unit price")
    expect(lines).to_contain_text("Huasco Extra Virgin Olive Oil")
    expect(lines).to_contain_text("Boldo & Mint Herbal Tea")
    expect(page.locator("#detail-intent")).to_have_text(re.compile(r"^pi_"))
    for what in ("placed", "session created", "paid"):
        expect(timeline(page).filter(has_text=re.compile(rf"^{what}"))).not_to_have_count(0)
    # Fintoc's webhooks may land a moment after the order is paid: the open page picks them up by itself.
    expect(timeline(page).filter(has_text="Fintoc webhook")).not_to_have_count(0, timeout=20_000)

    mark_shipped(page, "Starken", "STK-2026-0042")
    expect(toast(page, "Marked as shipped.")).to_be_visible()
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "fulfilled")
    shipped = timeline(page).filter(has_text=re.compile(r"^shipped"))
    expect(shipped).to_have_count(1)
    expect(shipped).to_contain_text(owner)
    expect(shipped).to_contain_text("Starken STK-2026-0042")
    expect(page.locator("#ship-card")).to_have_count(0)
    assert ("shipped", "admin") in db.history(number)

    open_dashboard(page)
    assert count(page, "count-to-ship") == to_ship


def test_an_open_order_page_turns_paid_without_a_reload(browser, page, owner, store_url, db):
    shopper, shop_page, dialog = open_widget(browser, store_url, "matias.gonzalez@example.cl", "espresso-beans-pica")
    try:
        sign_in(page, owner)
        search_orders(page, "matias.gonzalez")
        expect(order_rows(page)).to_have_count(1)
        number = int(order_rows(page).first.get_attribute("data-number"))
        open_order(page, number)
        expect(page.locator("#detail-status")).to_have_attribute("data-status", "pending_payment")
        expect(page.locator("#cancel-card")).to_be_visible()
        page.evaluate("window.__sameDocument = true")

        pay_with(dialog, "Santander")
        expect(page.locator("#detail-status")).to_have_attribute("data-status", "paid", timeout=20_000)
        assert page.evaluate("window.__sameDocument === true"), "the admin page must not have reloaded"
        expect(page.locator("#ship-card")).to_be_visible()
        expect(page.locator("#cancel-card")).to_have_count(0)
        expect(timeline(page).filter(has_text=re.compile(r"^paid"))).to_have_count(1)
        assert db.latest_order().customer_email == "matias.gonzalez@example.cl"
    finally:
        shopper.close()


def test_a_partial_refund_then_the_rest_turn_the_open_page_refunded(browser, page, owner, store_url, db):
    """The issue's own walk-through: refund part through Fintoc (putting the returned unit back on sale), then
    the rest, and the open page follows Fintoc's refund webhooks to refunded without a reload."""
    stock = db.stock("boldo-herbal-tea-tin")
    token = buy(browser, store_url, "tomas.silva@example.cl", "colour-pencil-set", "boldo-herbal-tea-tin")
    number = db.order(token).id
    assert db.stock("boldo-herbal-tea-tin") == stock - 1
    sign_in(page, owner)
    search_orders(page, "tomas.silva")
    open_order(page, number)
    expect(page.locator("#left-to-refund")).to_have_text("$14.980")
    page.evaluate("window.__sameDocument = true")

    card = page.locator("#refund-card")
    card.locator("#refund-amount").fill("5.990")
    card.get_by_label("Units of Boldo & Mint Herbal Tea back on sale").fill("1")
    card.locator("#refund-submit").click()
    expect(toast(page, "Refund sent to Fintoc")).to_be_visible()
    expect(page.locator("#partly-refunded")).to_be_visible(timeout=30_000)
    expect(page.locator("#left-to-refund")).to_have_text("$8.990")
    expect(page.locator("#refunded-total")).to_contain_text("$5.990 refunded of $14.980")
    assert db.stock("boldo-herbal-tea-tin") == stock

    card.locator("#refund-amount").fill("8990")
    card.locator("#refund-submit").click()
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "refunded", timeout=30_000)
    expect(page.locator("#refund-card")).to_have_count(0)
    expect(page.locator(".refund-row")).to_have_count(2)
    expect(page.locator(".refund-row").filter(has_text="succeeded")).to_have_count(2, timeout=30_000)
    assert page.evaluate("window.__sameDocument === true"), "the admin page must not have reloaded"
    assert db.order(token).status == "refunded"


def test_staff_cannot_manage_staff_and_a_disabled_member_is_sent_to_login(browser, page, owner, store_url,
                                                                          store_database_url):
    create_staff(store_database_url, "sofia.staff@example.cl", "staff")
    member = new_context(browser)
    added = new_context(browser)
    try:
        staff_page = new_page(member, store_url)
        sign_in(staff_page, "sofia.staff@example.cl")
        expect(staff_page.get_by_role("link", name="Orders", exact=True)).to_be_visible()
        expect(staff_page.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
        staff_page.goto(store_url + "/admin/staff")
        expect(staff_page.locator("#owners-only")).to_contain_text("Only an owner can manage staff.")
        expect(staff_page.locator("#staff-table")).to_have_count(0)
        expect(staff_page.get_by_text("sofia.staff@example.cl", exact=True)).to_have_count(1)  # only the top bar

        sign_in(page, owner)
        page.get_by_role("link", name="Staff", exact=True).click()
        page.wait_for_url(re.compile(r"/admin/staff$"))
        expect(page.locator("#staff-table")).to_contain_text("sofia.staff@example.cl")
        form = page.locator("#add-staff")
        form.get_by_placeholder("Email").fill("diego.staff@example.cl")
        form.get_by_placeholder("Password (12+ characters)").fill(PASSWORD)
        form.get_by_role("button", name="Add").click()
        expect(toast(page, "Staff member added.")).to_be_visible()
        row = page.locator(".staff-row").filter(has_text="diego.staff@example.cl")
        expect(row).to_contain_text("staff")
        expect(row).to_contain_text("active")

        diego = new_page(added, store_url)
        sign_in(diego, "diego.staff@example.cl")
        diego.goto(store_url + "/admin/orders")
        expect(diego.locator("#order-table, #no-orders")).to_be_visible()

        row.get_by_role("button", name="Disable").click()
        expect(toast(page, "Disabled; their sessions have ended.")).to_be_visible()
        expect(row).to_contain_text("disabled")

        diego.get_by_role("button", name="Filter").click()  # the next thing the disabled member does
        diego.wait_for_url(LOGIN_URL)
        diego.goto(store_url + "/admin")
        diego.wait_for_url(LOGIN_URL)
    finally:
        member.close()
        added.close()


def test_signing_out_ends_the_session_for_good(browser, page, owner, store_url):
    sign_in(page, owner)
    old = session_cookie(page.context)
    assert old
    replay = new_context(browser)
    try:
        replay.add_cookies([{"name": COOKIE, "value": old, "url": store_url}])
        again = new_page(replay, store_url)
        again.goto(store_url + "/admin")  # the replay works while the session lives: the check below means something
        expect(again.locator("#admin-who")).to_have_text(owner)

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(LOGIN_URL)
        assert session_cookie(page.context) is None
        page.goto(store_url + "/admin")
        page.wait_for_url(LOGIN_URL)

        again.goto(store_url + "/admin")
        again.wait_for_url(LOGIN_URL)
        assert replay.request.get(store_url + "/admin/export/orders.csv").status == 401
    finally:
        replay.close()


def test_the_csv_export_holds_the_filtered_orders_and_needs_a_session(browser, page, owner, store_url, db):
    token = buy(browser, store_url, "valentina.munoz@example.cl", "soy-candle-maqui")
    number = db.order(token).id
    sign_in(page, owner)
    search_orders(page, "valentina.munoz")
    link = page.locator("#export-csv")
    expect(link).to_have_attribute("href", re.compile(r"q=valentina.munoz"))
    # The link opens a new tab (the download may be attributed to it or to this page): catch it on either.
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.context.on("page", lambda tab: tab.on("download", lambda download: downloads.append(download)))
    link.click()
    for _ in range(100):
        if downloads:
            break
        page.wait_for_timeout(100)
    assert downloads, "Export CSV did not download anything"
    text = open(downloads[0].path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 2, rows  # the search's filter, not every order
    row = dict(zip(rows[0], rows[1]))
    assert (row["order_number"], row["status"], row["email"], row["total_clp"], row["items"]) == (
        str(number), "paid", "valentina.munoz@example.cl", "13990", "1 x Maqui & Cedar Soy Candle")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[34]:00", row["placed_at"]), row["placed_at"]
    assert row["payment_intent_id"].startswith("pi_")

    status, body = unauthenticated_get(store_url + "/admin/export/orders.csv?q=valentina.munoz")
    assert status == 401
    assert b"valentina" not in body and b"order_number" not in body


DOCS = PROJECT_ROOT / "docs"


def test_screenshots_of_the_order_list_and_an_order(browser, owner, store_url, db):
    """Always taken (into test-artifacts/); PEPESTORE_DOCS_SCREENSHOTS=1 also writes the README's docs/*.png."""
    token = buy(browser, store_url, "isidora.fuentes@example.cl", "rauli-cutting-board", "colour-pencil-set",
                "olive-oil-huasco")
    number = db.order(token).id
    shots = []
    for suffix, width, height in (("", 1280, 860), ("-phone", 390, 844)):
        # A Chilean owner's browser: date fields read dd-mm-aaaa, as the rest of the back office does.
        context = new_context(browser, width, height, locale="es-CL", timezone_id="America/Santiago")
        try:
            page = new_page(context, store_url)
            sign_in(page, owner)
            page.goto(store_url + "/admin/orders")
            expect(page.locator(f'.order-row[data-number="{number}"]')).to_be_visible()
            page.wait_for_load_state("networkidle")
            shots.append((page.screenshot(), f"admin-orders{suffix}.png"))
            open_order(page, number)
            if not suffix:
                page.locator("#note-text").fill("Gift wrap requested by phone; packed with the pencils on top.")
                page.get_by_role("button", name="Add note").click()
                page.mouse.move(0, 0)  # a pointer resting over the toast pauses its timer
                expect(toast(page, "Note added.")).to_be_visible()
                expect(toast(page, "Note added.")).to_have_count(0, timeout=15_000)  # not in the picture
            expect(timeline(page).filter(has_text="Gift wrap")).to_have_count(1)
            expect(timeline(page).filter(has_text="Fintoc webhook")).not_to_have_count(0, timeout=20_000)
            shots.append((page.screenshot(full_page=True), f"admin-order{suffix}.png"))
        finally:
            context.close()
    for png, file_name in shots:
        (ARTIFACTS / file_name).write_bytes(png)
        if os.environ.get("PEPESTORE_DOCS_SCREENSHOTS") == "1" and file_name != "admin-order-phone.png":
            shutil.copyfile(ARTIFACTS / file_name, DOCS / file_name)
