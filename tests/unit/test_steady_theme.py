"""The light theme prerendered, and Reflex's colour mode effects guarded (pepestore/steady_theme.py)."""

from pathlib import Path

import pytest
import reflex_base

from pepestore import steady_theme
from pepestore.build_plugin import rewrite_pages

TEMPLATES = Path(reflex_base.__file__).parent / ".templates" / "web"


@pytest.mark.parametrize("name, guard", [(steady_theme.PROVIDER, steady_theme.guard_provider),
                                         (steady_theme.THEME_PROVIDER, steady_theme.guard_theme_provider)])
def test_reflexs_own_effects_are_guarded_once(name, guard):
    """Against the files this Reflex compiles from: a Reflex that changes them fails here, not silently."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    guarded = guard(source)
    assert guarded != source
    assert "classList.contains(resolvedTheme)" in guarded
    assert guarded.count('classList.remove("light", "dark")') == 1
    assert guard(guarded) == guarded  # compiled again over its own output


def test_an_unexpected_file_is_left_as_it_is(caplog):
    source = "export default function RadixThemesColorModeProvider({ children }) { return children; }"
    assert steady_theme.guard_provider(source) == source
    assert "left as it is" in caplog.text


ROOT = ('<div data-is-root-theme="true" data-accent-color="tomato" data-radius="large" '
        'class="radix-themes css-0"><div class="radix-themes">')


def test_the_prerendered_root_gets_the_light_class_and_nothing_else_does():
    marked = steady_theme.mark_light_root(f"<body>{ROOT}</div></div></body>")
    assert 'data-radius="large" class="radix-themes css-0 light"><div class="radix-themes">' in marked
    assert steady_theme.mark_light_root(marked) == marked
    already = ROOT.replace("css-0", "light css-0")
    assert steady_theme.mark_light_root(already) == already
    # `light-theme` is another class: the root still needs `light`.
    assert steady_theme.mark_light_root(ROOT.replace("css-0", "light-theme")).count("light-theme light\"") == 1


def test_the_build_is_marked_page_by_page(tmp_path):
    (tmp_path / "cart").mkdir()
    (tmp_path / "index.html").write_text(ROOT, encoding="utf-8")
    (tmp_path / "cart" / "index.html").write_text(ROOT, encoding="utf-8")
    (tmp_path / "plain.html").write_text("<p>no theme here</p>", encoding="utf-8")
    assert rewrite_pages(tmp_path, steady_theme.mark_light_root) == 2
    assert 'class="radix-themes css-0 light"' in (tmp_path / "cart" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "plain.html").read_text(encoding="utf-8") == "<p>no theme here</p>"
    assert rewrite_pages(tmp_path, steady_theme.mark_light_root) == 0
