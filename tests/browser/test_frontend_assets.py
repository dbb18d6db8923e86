"""What single-port mode serves of the production build: Radix's stylesheet trimmed (and still styling the pages),
hashed assets cached for a year, pages revalidated, the cart served at /cart without a redirect, a description
and a main landmark on the shop's pages."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from pepestore import page_meta
from pepestore.i18n import DEFAULT, say
from pepestore.static_cache import IMMUTABLE
from pepestore.store.catalog import PER_PAGE
from tests.browser.shop import card, open_catalog, wait_for_live_catalog

WHOLE_RADIX_CSS = 690_000  # bytes of Radix Themes 3's stylesheet with every colour, breakpoint and the dark theme


def linked_assets(store_url: str) -> tuple[list[str], list[str]]:
    """The stylesheets the catalog links and the modules it starts (named in its module script, which preloads
    and imports them after first paint: pepestore/deferred_start.py)."""
    html = httpx.get(store_url + "/").text
    return (re.findall(r'href="(/assets/[^"]+\.css)"', html),
            list(dict.fromkeys(re.findall(r'"(/assets/[^"]+\.js)"', html))))


def test_the_global_stylesheet_is_trimmed_and_every_linked_asset_exists(store_url):
    sheets, scripts = linked_assets(store_url)
    assert sheets and scripts
    css = httpx.get(store_url + sheets[0]).text
    assert ".rt-Button" in css and ".rt-BaseDialogContent" in css and ".rt-SelectContent" in css, "components stay"
    assert len(css.encode()) < WHOLE_RADIX_CSS * 0.75, len(css.encode())
    assert "[data-accent-color=ruby]" not in css, "a colour the store never names is gone"
    assert "[data-accent-color=tomato]" in css, "the theme's accent stays"
    assert ".xs\\:rt-r-" not in css, "no page gives a prop for the xs breakpoint"
    for asset in sheets + scripts:
        assert httpx.get(store_url + asset).status_code == 200, asset


@pytest.mark.parametrize("kind", ["css", "js"])
def test_hashed_assets_are_cached_a_year(store_url, kind):
    sheets, scripts = linked_assets(store_url)
    response = httpx.get(store_url + (sheets if kind == "css" else scripts)[0])
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == [IMMUTABLE]


@pytest.mark.parametrize("path", ["/", "/cart", "/product/wool-beanie", "/nowhere"])
def test_pages_are_revalidated_and_the_cart_needs_no_redirect(store_url, path):
    response = httpx.get(store_url + path, follow_redirects=False)
    assert response.status_code in (200, 404), f"{path}: {response.status_code} {response.headers.get('location')}"
    assert response.headers.get_list("cache-control") == ["no-cache"]


def test_pages_are_styled_with_the_trimmed_stylesheet(page):
    """Radix's classes still apply: the theme's accent on the solid button, sizes on headings, the dialog."""
    open_catalog(page)
    first_add = page.locator(".product-card").first.get_by_role("button", name="Add to cart")
    expect(first_add).to_have_css("background-color", "rgb(202, 50, 20)")  # the theme's accent, step 9
    assert page.locator("main").count() == 1
    assert page.locator('meta[name="description"]').first.get_attribute("content")


def test_the_live_product_page_has_its_own_title_and_description_and_the_next_page_its_own(page):
    """The early copy's title and description go with it: one of each, the product's, then the catalog's."""
    page.goto(page.store_url + "/product/wool-beanie")
    expect(page.locator("#product-early")).to_have_count(0)  # the live page has taken over
    description = page.locator('meta[name="description"]')
    expect(description).to_have_count(1)
    expect(description).to_have_attribute("content", re.compile(r"^Soft merino beanie"))
    expect(page).to_have_title("Merino Wool Beanie — Pepestore")
    assert page.locator("title").count() == 1
    page.locator(".site-header").get_by_role("link", name="Pepestore").click()
    wait_for_live_catalog(page)
    expect(description).to_have_count(1)
    expect(description).to_have_attribute("content", page_meta.CATALOG)
    expect(page).to_have_title(say(DEFAULT, "title.catalog"))


def test_the_pages_modules_start_after_first_paint_and_still_hydrate(page):
    """No module is named in the head; the browser fetches them only once the page has painted its first photo
    (pepestore/deferred_start.py), and the page still hydrates and shows its live products."""
    html = httpx.get(page.store_url + "/").text
    assert "modulepreload" not in html[:html.index("</head>")]
    page.goto(page.store_url + "/")
    wait_for_live_catalog(page)
    timings = page.evaluate("""() => {
        const entry = performance.getEntriesByType("resource").find(e => e.name.includes("/entry.client"));
        const paint = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
        return {entry: entry.startTime, paint: paint.startTime};
    }""")
    assert timings["entry"] >= timings["paint"], timings
    first_add = page.locator(".product-card").first.get_by_role("button", name="Add to cart")
    first_add.click()
    expect(page.locator("#cart-count")).to_have_text("1")


def test_the_page_hydrates_only_once_the_whole_stylesheet_is_in(page):
    """Outside the shop's prerendered pages (here the product page's shell) the inlined rules cover only the
    prerendered HTML: what shows once the page is live (menus, toasts) needs the whole stylesheet, so hydration
    waits for it when it comes late (here 1.5 s)."""
    import time

    def late(route):
        time.sleep(1.5)
        route.continue_()

    page.route(re.compile(r"/assets/.*\.css$"), late)
    page.goto(page.store_url + "/product/wool-beanie")
    expect(page.locator("#product-early")).to_have_count(0)  # the live page has taken over
    expect(page.locator("#product-name")).to_have_text("Merino Wool Beanie")
    applied = page.evaluate("""() => [...document.querySelectorAll('link[rel="stylesheet"]')]
        .filter(link => link.href.includes('/assets/')).map(link => link.media)""")
    assert applied and all(media == "all" for media in applied), applied


def test_the_first_paint_is_styled_by_the_inlined_css_alone(page):
    """With no stylesheet fetched (and no script), the catalog still paints styled: the shop's rules are inline
    (pepestore/shop_css.py), its link to the whole stylesheet disabled."""
    html = httpx.get(page.store_url + "/").text
    head = html[:html.index("</head>")]
    assert '<style data-critical="true">' in head
    assert re.search(r'<link href="/assets/[^"]+\.css" rel="stylesheet" type="text/css" disabled="" '
                     r'data-whole-sheet=""/>', head)
    page.route(re.compile(r"/assets/.*\.(css|js)$"), lambda route: route.abort())
    page.goto(page.store_url + "/")
    first_add = page.locator(".product-card").first.locator("button")  # prerendered words: no script to translate
    expect(first_add).to_have_css("background-color", "rgb(202, 50, 20)")  # the theme's accent, step 9
    columns = page.locator("#product-grid").evaluate("grid => getComputedStyle(grid).gridTemplateColumns")
    assert len(columns.split()) == 4, columns  # the grid's responsive columns at 1280 px
    assert page.locator("link[data-whole-sheet]").evaluate("link => link.disabled"), "nothing enabled it"


def test_the_catalogs_first_frame_has_no_blurred_layers_nor_photo_decodes_to_wait_for(page):
    """No element of the catalog has a backdrop filter. Radix's translucent panels blur what is behind every card
    (backdrop-filter: blur(64px) on each card's ::before), which shows nothing on a plain background but cost the
    compositor ~50 ms before the catalog's first frame reached the screen; the panels are solid. The cards' photos
    decode off the frame's path, so the text is painted without waiting for them. Checked on the first paint alone:
    no stylesheet, no script."""
    html = httpx.get(page.store_url + "/").text
    assert 'data-panel-background="solid"' in html
    photos = re.findall(r'<img [^>]*class="card-photo[^"]*"[^>]*>', html)
    assert len(photos) == PER_PAGE and all('decoding="async"' in photo for photo in photos), photos[:1]
    page.route(re.compile(r"/assets/.*\.(css|js)$"), lambda route: route.abort())
    page.goto(page.store_url + "/")
    panels = page.evaluate("""() => [...document.querySelectorAll('.product-card')].map((card) => {
        const panel = getComputedStyle(card, '::before');
        return panel.backdropFilter + ' ' + panel.backgroundColor; })""")
    assert len(panels) == PER_PAGE and set(panels) == {"none rgb(255, 255, 255)"}, set(panels)
    blurred = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap((element) =>
        [null, '::before', '::after'].map((pseudo) => [element, getComputedStyle(element, pseudo).backdropFilter]))
        .filter(([, filter]) => filter !== 'none').map(([element, filter]) => element.className + ': ' + filter)""")
    assert blurred == [], blurred  # the sticky header too: opaque, no blur to redraw under it on every frame


# Every change of the class attribute of <html> and of the Radix root, from the start of the document on.
WATCH_THEME_CLASSES = """
window.__themeClassChanges = [];
new MutationObserver((records) => records.forEach((record) => {
  const target = record.target;
  if (target === document.documentElement || target.matches?.('[data-is-root-theme="true"]'))
    window.__themeClassChanges.push(target.tagName + ': ' + record.oldValue + ' -> ' + target.className);
})).observe(document, {attributes: true, attributeFilter: ['class'], attributeOldValue: true, subtree: true});
"""


@pytest.mark.parametrize("path", ["/", "/product/wool-beanie", "/cart"])
def test_hydration_leaves_the_theme_classes_as_the_first_paint_had_them(page, path):
    """The light theme is in the prerendered root (pepestore/steady_theme.py): once the head script has put `light`
    on <html> before the first paint, neither <html> nor the Radix root changes its classes, each change being a
    restyle of the whole page after it painted. And Radix Themes is not on window.__reflex, which kept its whole
    namespace in the root chunk (pepestore/build_plugin.py)."""
    html = httpx.get(page.store_url + path).text
    assert re.search(r'<div data-is-root-theme="true"[^>]* class="radix-themes[^"]* light"', html)
    page.add_init_script(WATCH_THEME_CLASSES)
    with page.expect_websocket(lambda socket: "/_event" in socket.url) as opened:
        page.goto(page.store_url + path)
    # The server's first state update: the app mounted, its effects and the re-render they cause ran long before.
    opened.value.wait_for_event("framereceived", predicate=lambda frame: str(frame).startswith("42"))
    page.wait_for_timeout(300)
    changes = page.evaluate("window.__themeClassChanges")
    assert changes == ["HTML: null -> light"], changes  # the head script's, before the first paint
    assert "light" in page.locator('body > [data-is-root-theme="true"]').first.get_attribute("class").split()
    libraries = page.evaluate("Object.keys(window.__reflex)")
    assert "$/utils/state" in libraries and "@radix-ui/themes" not in libraries, libraries


# Every title the tab showed, read before each frame is painted.
WATCH_TITLES = """
window.__titles = [];
(function watch() {
  if (window.__titles[window.__titles.length - 1] !== document.title) window.__titles.push(document.title);
  requestAnimationFrame(watch);
})();
"""


def test_the_tab_never_shows_the_previous_products_title(page):
    """A tab's state still holds the last product it showed while the next one loads, by a full page load (the
    early copy's title first) or by a link from the catalog: the title never names it."""
    page.goto(page.store_url + "/product/cast-iron-teapot")
    expect(page.locator("#product-early")).to_have_count(0)
    expect(page).to_have_title("Cast Iron Teapot — Pepestore")
    page.add_init_script(WATCH_TITLES)
    page.goto(page.store_url + "/product/wool-beanie")
    expect(page.locator("#product-early")).to_have_count(0)
    expect(page).to_have_title("Merino Wool Beanie — Pepestore")
    page.locator(".site-header").get_by_role("link", name="Pepestore").click()
    wait_for_live_catalog(page)
    card(page, "ceramic-mug-terracotta").get_by_role("link").first.click()
    expect(page.locator("#product-name")).to_have_text("Terracotta Ceramic Mug")
    expect(page).to_have_title("Terracotta Ceramic Mug — Pepestore")
    titles = page.evaluate("window.__titles")
    assert not [title for title in titles if "Cast Iron" in title], titles
    shown = titles[titles.index("Merino Wool Beanie — Pepestore"):]
    assert not [title for title in shown[shown.index(say(DEFAULT, "title.catalog")):] if "Merino" in title], titles


# Every element's computed style (with its ::before, ::after, ::marker, ::placeholder; custom properties left out):
# SNAPSHOT keeps them on the page, CHANGED compares them again for the elements still in the document. Animations
# (the cart's spinner) are paused at their start first, so only the stylesheet can change a style between the two.
STYLES_OF = """(element) => [null, '::before', '::after', '::marker', '::placeholder'].map((pseudo) => {
    const style = getComputedStyle(element, pseudo);
    return (pseudo || '') + ' ' + [...style].filter((name) => !name.startsWith('--'))
        .map((name) => name + ':' + style.getPropertyValue(name)).join(';');
}).join(' | ')"""
STILL = "document.getAnimations().forEach((animation) => { animation.pause(); animation.currentTime = 0; })"
SNAPSHOT = f"""() => {{ const stylesOf = {STYLES_OF}; {STILL};
    window.__styles = [...document.querySelectorAll('*')].map((element) => [element, stylesOf(element)]);
    return window.__styles.length; }}"""
CHANGED = f"""() => {{ const stylesOf = {STYLES_OF}; {STILL};
    const kept = window.__styles.filter(([element]) => element.isConnected);
    return [kept.length, kept.filter(([element, was]) => stylesOf(element) !== was)
        .map(([element]) => element.tagName + '.' + element.className)]; }}"""


@pytest.mark.parametrize("path", ["/product/wool-beanie", "/admin"])  # the shop's own pages: test_shop_css.py
def test_the_whole_stylesheet_replaces_the_inlined_rules_without_changing_a_computed_style(page, path):
    """When the whole stylesheet arrives it applies and the inlined `<style>` goes (pepestore/critical_css.py's
    SWAP): every element of the page, and its ::before, ::after, ::marker and ::placeholder, computes the same style
    before and after (the product page's inlined rules also cover its early copy). Scripts are blocked so nothing
    but the stylesheet changes the page; the stylesheet is held until the first snapshot."""
    held = []
    page.route(re.compile(r"/assets/.*\.js$"), lambda route: route.abort())
    page.route(re.compile(r"/assets/.*\.css$"), lambda route: held.append(route))
    page.goto(page.store_url + path, wait_until="domcontentloaded")  # "load" would wait for the held stylesheet
    page.wait_for_function("() => document.querySelector('style[data-critical]') !== null")
    # React's streamed boundaries (`<div hidden id="S:0">`, moved in by its inline `$RC` script after a frame or a
    # timer) are revealed first: otherwise their nodes could leave the document between the two snapshots.
    page.wait_for_function("() => document.querySelector('[hidden][id^=\"S:\"]') === null")
    elements = page.evaluate(SNAPSHOT)
    assert len(held) == 1 and page.locator("link[media='print']").count() == 1
    held[0].continue_()
    page.wait_for_function("() => document.querySelector('style[data-critical]') === null")
    assert page.locator("link[rel='stylesheet'][media='all']").count() == 1
    compared, changed = page.evaluate(CHANGED)
    assert compared == elements - 1 > 50  # every element but the inlined <style> itself
    assert changed == [], changed[:5]
