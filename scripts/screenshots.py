"""Take the README's screenshots of a running store: `python scripts/screenshots.py [http://localhost:3000]`."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:3000"
OUT = Path(__file__).resolve().parent.parent / "docs"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, viewport in (("desktop", {"width": 1280, "height": 860}), ("phone", {"width": 375, "height": 780})):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            page.goto(BASE + "/")
            page.locator(".product-card").first.wait_for()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"catalog-{name}.png"))
            page.locator(".product-card").nth(0).get_by_role("button", name="Agregar al carrito").click()
            page.locator(".product-card").nth(2).get_by_role("button", name="Agregar al carrito").click()
            page.locator("#cart-count").wait_for()
            page.goto(BASE + "/cart")
            page.locator(".cart-line").nth(1).wait_for()
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT / f"cart-{name}.png"))
            context.close()
        browser.close()
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
