"""Under the store's Content-Security-Policy (single-port mode), the pages still work: hydration, the event
websocket, server-sent toasts and the Fintoc (sandbox) widget, with no CSP violation at all."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.shop import add_on_product_page, order_token_from, start_payment

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation recorded from the console and from the DOM's own report."""
    console = []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script(WATCH_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page) -> list[str]:
    return page.csp_console + page.evaluate("window.__cspViolations || []")


@pytest.mark.parametrize("path", ["/", "/cart", "/product/wool-beanie", "/order/no-such-token", "/nowhere",
                                  "/health", "/payments/webhook", "/sandbox/fintoc/widget.js"])
def test_every_page_and_route_carries_the_security_headers(store_url, path):
    response = httpx.get(store_url + path, follow_redirects=False)
    csp = response.headers.get_list("content-security-policy")
    assert len(csp) == 1 and "frame-ancestors 'none'" in csp[0]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers, "PUBLIC_URL is plain http here"


def test_the_sandbox_widget_opens_and_pays_under_the_policy(watched):
    page = watched
    add_on_product_page(page, "canvas-tote-bag", 1)  # hydration, websocket and a server-sent toast
    dialog = start_payment(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="BCI").click()
    dialog.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/order/[\w-]+$"))
    expect(page.locator("#order-status")).to_have_attribute("data-status", "paid", timeout=20_000)
    assert order_token_from(page)
    assert violations(page) == []


def test_the_hosted_payment_page_works_under_the_policy(watched):
    """The widget's fallback: the sandbox's own page, reached by link when the widget script cannot load."""
    page = watched
    add_on_product_page(page, "baseball-cap-navy", 1)
    page.route("**/sandbox/fintoc/widget.js", lambda route: route.abort(), times=1)
    start_payment(page)
    link = page.locator("#hosted-payment-link")
    expect(link).to_have_attribute("href", re.compile(r"/sandbox/fintoc/pay/"))
    link.click()
    dialog = page.get_by_role("dialog", name="Fintoc sandbox payment")
    expect(dialog).to_be_visible()
    assert violations(page) == []


def test_another_site_cannot_frame_the_store(page, store_url):
    page.goto("about:blank")
    page.set_content(f'<iframe id="shop" src="{store_url}/cart"></iframe>')  # waits for the frame's load too
    frame = page.main_frame.child_frames[0]
    assert frame.url.startswith("chrome-error://"), f"the store rendered inside another page: {frame.url}"
