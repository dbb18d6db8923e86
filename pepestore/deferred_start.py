"""The pages' JavaScript starts after the first paint, not before it.

A prerendered page paints from its HTML and CSS alone; the JavaScript only hydrates what is already on screen. As
React Router builds them, though, every page names its ~28 modules in `<link rel="modulepreload">` tags in its
`<head>`, and an inline module script at the end of `<body>` imports them. The browser then spends the time before
the first paint issuing those requests (creating ~30 requests costs the main thread ~275 ms on a phone-class CPU),
the modules compete with the stylesheet and the first photo for the connection, and the first modules are
evaluated before the largest photo is on screen. Lighthouse's simulated load charges all of it to first and
largest paint.

At build time (pepestore/build_plugin.py) each page is rewritten so that:
- its `<head>` names no module;
- its module script waits, with top-level `await`, until the page has painted: until the browser reports the
  first photo marked `fetchpriority="high"` (the catalog's and product page's largest paint) as painted (a
  `largest-contentful-paint` entry), or two frames after that photo loaded (browsers without those entries), or
  two frames after the script runs on a page without such a photo; at most MAX_WAIT_MS, so a slow photo or a
  hidden tab (no frames) never holds the live page back longer;
- then it adds the same modulepreload links (all modules fetched at once, in parallel, as before), evaluates
  the modules one at a time, each after the ones it imports, yielding to the browser between two (so a phone
  does not spend one long task evaluating ~600 KB of modules: Lighthouse counts each task over 50 ms against
  the page), waits for the whole stylesheet if it is still loading (at most MAX_STYLE_WAIT_MS), and imports the
  page's modules as React Router wrote them, so hydration runs exactly as before.

The script stays the same `<script type="module" async>` element React Router rendered (React does not compare an
inline script's text when it hydrates), and the links it adds are the ones React would hoist into the head (React
finds them by href and adds none). Nothing else changes: the CSP already allows the pages' inline scripts
('unsafe-inline', pepestore/security_headers.py), and every URL stays the build's hashed name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MAX_WAIT_MS = 1000
# Hydration waits this long at most for the whole stylesheet (pepestore/critical_css.py inlines only what the
# prerendered HTML can match): what appears only once the page is live (cart lines, the checkout form, menus,
# toasts) must not show unstyled on a link where the stylesheet, fetched at the lowest priority, comes late.
MAX_STYLE_WAIT_MS = 3000

_MODULEPRELOAD = re.compile(r'<link rel="modulepreload"[^>]*?href="([^"]+)"[^>]*/?>')
_MODULE_SCRIPT = re.compile(r'(<script type="module" async="">)(.*?)(</script>)', re.S)
_SIDE_EFFECT_IMPORT = re.compile(r'^import ("[^"]+");$', re.M)
_NAMESPACE_IMPORT = re.compile(r'^import \* as (\w+) from ("[^"]+");$', re.M)
_ANY_STATIC_IMPORT = re.compile(r'^\s*import\s*[^(\s]', re.M)
# A built chunk's static imports of its siblings, minified: `import{a as b}from"./x-1.js"`, `import"./y-2.js"`.
_CHUNK_IMPORT = re.compile(r'(?:\bfrom|\bimport)\s*"\./([^"/]+\.js)"')
_ENTRY = re.compile(r'^import\("([^"]+)"\);?\s*$', re.M)
MARK = "/* pepestore: started after first paint */"

# Resolves once the page's first high-priority photo (its largest paint) is on screen, or two frames after the
# script ran on a page without one; at most MAX_WAIT_MS. Then preloads every module, evaluates them one a task.
WAIT = MARK + """
await new Promise(function (go) {
  var started = false;
  function start() { if (!started) { started = true; go(); } }
  function afterFrame(next) { requestAnimationFrame(function () { setTimeout(next, 0); }); }
  function painted() { afterFrame(function () { afterFrame(start); }); }
  setTimeout(start, %d);
  var photo = document.querySelector('img[fetchpriority="high"]');
  if (photo && window.PerformanceObserver) {
    try {
      new PerformanceObserver(function (list, observer) {
        if (list.getEntries().some(function (entry) { return entry.element === photo; })) {
          observer.disconnect();
          start();
        }
      }).observe({type: "largest-contentful-paint", buffered: true});
    } catch (error) {}
  }
  if (!photo || photo.complete) painted();
  else { photo.addEventListener("load", painted); photo.addEventListener("error", painted); }
});
%s.forEach(function (href) {
  var link = document.createElement("link");
  link.rel = "modulepreload";
  link.href = href;
  document.head.appendChild(link);
});
for (const href of %s) {
  await import(href);
  await new Promise(function (next) {
    var channel = new MessageChannel();  // a new task, without the 4 ms clamp of nested timeouts
    channel.port1.onmessage = function () { next(); };
    channel.port2.postMessage(null);
  });
}
await new Promise(function (go) {
  var sheet = document.querySelector('link[rel="stylesheet"][media="print"]');
  if (!sheet) { go(); return; }
  setTimeout(go, %d);
  sheet.addEventListener("load", function () { go(); });
  sheet.addEventListener("error", function () { go(); });
});
"""


def chunk_imports(assets: Path) -> dict[str, list[str]]:
    """Each built module's URL and the URLs of the modules it imports statically."""
    return {f"/assets/{chunk.name}": [f"/assets/{name}" for name in
                                      dict.fromkeys(_CHUNK_IMPORT.findall(chunk.read_text(encoding="utf-8")))]
            for chunk in sorted(assets.glob("*.js"))}


def evaluation_order(roots: list[str], imports: dict[str, list[str]]) -> list[str]:
    """Modules in an order where each comes after everything it imports (depth first, as the browser would)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(url: str) -> None:
        if url in seen:
            return
        seen.add(url)
        for dependency in imports.get(url, ()):
            visit(dependency)
        order.append(url)

    for root in roots:
        visit(root)
    return order


def defer_page(html: str, imports: dict[str, list[str]] | None = None) -> str | None:
    """The page with its modules started after first paint, or None if it is not a page React Router built as
    expected (then it is left alone) or was already rewritten."""
    if MARK in html or "</head>" not in html:
        return None
    head_end = html.index("</head>")
    head, rest = html[:head_end], html[head_end:]
    modules = _MODULEPRELOAD.findall(head)
    script = _MODULE_SCRIPT.search(rest)
    if not modules or script is None:
        return None
    body = script.group(2)
    body = _SIDE_EFFECT_IMPORT.sub(r"await import(\1);", body)
    body = _NAMESPACE_IMPORT.sub(r"const \1 = await import(\2);", body)
    if _ANY_STATIC_IMPORT.search(body):
        return None  # an import form this rewrite does not know: keep the page as React Router built it
    # Evaluated ahead, one a task: the page's modules and what the entry imports, never the entry itself (it
    # hydrates the page, and must run after the script has set the route modules).
    entries = _ENTRY.findall(body)
    roots = re.findall(r'await import\("([^"]+)"\)', body)
    roots += [dependency for entry in entries for dependency in (imports or {}).get(entry, ())]
    ahead = [url for url in evaluation_order(roots, imports or {}) if url not in entries]
    body = WAIT % (MAX_WAIT_MS, json.dumps(list(dict.fromkeys(modules))), json.dumps(ahead), MAX_STYLE_WAIT_MS) + body
    head = _MODULEPRELOAD.sub("", head)
    rest = rest[:script.start()] + script.group(1) + body + script.group(3) + rest[script.end():]
    return head + rest


def defer_build(static_dir: Path) -> int:
    """Rewrite every built page (see above); returns how many changed."""
    changed = 0
    imports = chunk_imports(static_dir / "assets")
    for page in sorted(static_dir.rglob("*.html")):
        deferred = defer_page(page.read_text(encoding="utf-8"), imports)
        if deferred is not None:
            page.write_text(deferred, encoding="utf-8")
            changed += 1
    return changed
