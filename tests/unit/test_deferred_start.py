"""The pages' modules are started after first paint (pepestore/deferred_start.py), rewritten at build time."""

import json
import re
import shutil
import subprocess

from pepestore.deferred_start import MARK, MAX_WAIT_MS, chunk_imports, defer_build, defer_page, evaluation_order
from pepestore.settings import PROJECT_ROOT

# A page as React Router 7 prerenders it (shortened): modulepreload links in the head, the module script in the body.
PAGE = (
    '<!DOCTYPE html><html lang="es-CL"><head><meta charSet="utf-8"/>'
    '<link rel="preload" as="image" href="/products/mug.webp" fetchPriority="high"/>'
    '<link as="style" href="/assets/styles-1.css" rel="preload"/><title>Pepestore</title>'
    '<link rel="modulepreload" fetchpriority="low" href="/assets/manifest-1.js"/>'
    '<link rel="modulepreload" fetchpriority="low" href="/assets/entry.client-1.js"/>'
    '<link rel="modulepreload" fetchpriority="low" href="/assets/root-1.js"/>'
    '<link rel="modulepreload" fetchpriority="low" href="/assets/_index-1.js"/>'
    '<link href="/assets/styles-1.css" rel="stylesheet" type="text/css"/></head>'
    '<body><div data-is-root-theme="true"><img fetchpriority="high" src="/products/mug.webp"/></div>'
    '<script>window.__reactRouterContext = {};</script>'
    '<script type="module" async="">import "/assets/manifest-1.js";\n'
    'import * as route0 from "/assets/root-1.js";\n'
    'import * as route1 from "/assets/_index-1.js";\n'
    '  \n  window.__reactRouterRouteModules = {"root":route0,"routes/_index":route1};\n\n'
    'import("/assets/entry.client-1.js");</script></body></html>'
)


def module_script(html: str) -> str:
    return re.search(r'<script type="module" async="">(.*?)</script>', html, re.S).group(1)


def test_the_head_names_no_module_and_the_script_imports_the_same_ones_after_first_paint():
    html = defer_page(PAGE)
    head = html[:html.index("</head>")]
    assert "modulepreload" not in head
    assert '<link href="/assets/styles-1.css" rel="stylesheet" type="text/css"/>' in head, "the stylesheet stays"
    assert '<link rel="preload" as="image" href="/products/mug.webp" fetchPriority="high"/>' in head
    script = module_script(html)
    assert script.startswith(MARK)
    assert f"setTimeout(start, {MAX_WAIT_MS})" in script, "never waits longer than that"
    assert 'type: "largest-contentful-paint"' in script and "requestAnimationFrame" in script
    # The same modules, preloaded together once the page has painted, then imported in the same order.
    preloaded = json.loads(re.search(r"(\[.*?\])\.forEach", script).group(1))
    assert preloaded == ["/assets/manifest-1.js", "/assets/entry.client-1.js", "/assets/root-1.js",
                         "/assets/_index-1.js"]
    body = script[script.index("document.head.appendChild"):]
    assert re.findall(r'import\("([^"]+)"\)', body) == ["/assets/manifest-1.js", "/assets/root-1.js",
                                                        "/assets/_index-1.js", "/assets/entry.client-1.js"]
    assert 'const route0 = await import("/assets/root-1.js");' in body
    assert 'window.__reactRouterRouteModules = {"root":route0,"routes/_index":route1};' in body
    assert not re.search(r"^\s*import\s*[^(\s]", script, re.M), "no static import left to fetch before paint"
    # Everything else is where it was: early_product.py inserts its copy before this script.
    assert "<script>window.__reactRouterContext = {};</script>" in html


def test_the_rewrite_is_idempotent_and_leaves_unknown_pages_alone():
    assert defer_page(defer_page(PAGE)) is None
    assert defer_page("<html><head></head><body>no modules</body></html>") is None
    unknown = PAGE.replace('import "/assets/manifest-1.js";', 'import {x} from "/assets/manifest-1.js";')
    assert defer_page(unknown) is None, "an import form the rewrite does not know: the page stays as built"


def test_every_page_of_a_build_is_rewritten(tmp_path):
    (tmp_path / "cart").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "cart" / "index.html").write_text(PAGE)
    (tmp_path / "robots.txt").write_text("User-agent: *")
    assert defer_build(tmp_path) == 2
    assert MARK in (tmp_path / "cart" / "index.html").read_text()
    assert defer_build(tmp_path) == 0


def test_the_module_script_is_valid_javascript(tmp_path):
    node = shutil.which("node") or str(PROJECT_ROOT / ".tools/node/node_modules/.bin/node")  # bootstrap.sh's Node
    source = tmp_path / "start.mjs"
    source.write_text(module_script(defer_page(PAGE)))
    result = subprocess.run([node, "--check", str(source)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_modules_are_evaluated_one_a_task_after_what_they_import_and_the_entry_last(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "manifest-1.js").write_text("window.__reactRouterManifest={}")
    (assets / "react-1.js").write_text("var react=1;export{react as r}")
    (assets / "root-1.js").write_text('import{r}from"./react-1.js";import"./side-1.js";export default 1')
    (assets / "side-1.js").write_text('import{r}from"./react-1.js";window.side=1')
    (assets / "_index-1.js").write_text('import{r}from"./react-1.js";const l=()=>import("./lazy-1.js")')
    (assets / "lazy-1.js").write_text("export default 2")
    (assets / "entry.client-1.js").write_text('import{r}from"./react-1.js";hydrate()')
    imports = chunk_imports(assets)
    assert imports["/assets/root-1.js"] == ["/assets/react-1.js", "/assets/side-1.js"]
    assert imports["/assets/_index-1.js"] == ["/assets/react-1.js"], "a dynamic import is not evaluated ahead"
    script = module_script(defer_page(PAGE, imports))
    ahead = json.loads(re.search(r"for \(const href of (\[.*?\])\)", script).group(1))
    assert ahead == ["/assets/manifest-1.js", "/assets/react-1.js", "/assets/side-1.js", "/assets/root-1.js",
                     "/assets/_index-1.js"]
    assert "entry.client" not in json.dumps(ahead), "the entry hydrates: it runs last, as React Router wrote it"
    assert "MessageChannel" in script
    assert evaluation_order(["/a"], {"/a": ["/b"], "/b": ["/a"]}) == ["/b", "/a"], "a cycle ends"
