"""What the build plugin changes in Reflex's compile before the pages are written (pepestore/build_plugin.py)."""

import pytest
from reflex_base.components.dynamic import bundle_library
from reflex_base.registry import RegistrationContext

from pepestore.build_plugin import UNBUNDLED, unbundle_plugin_namespaces


@pytest.fixture
def registry():
    """This process's registry, put back as it was after the test."""
    context = RegistrationContext.ensure_context()
    libraries, explicit = list(context.bundled_libraries), dict(context._explicit_bundled_libraries)
    yield context
    context.bundled_libraries[:] = libraries
    context._explicit_bundled_libraries.clear()
    context._explicit_bundled_libraries.update(explicit)


def test_radix_themes_namespace_is_left_out_of_window_libraries(registry):
    registry.bundled_libraries.append("@radix-ui/themes")  # as Reflex does for the Radix Themes plugin's package
    before = [library for library in registry.bundled_libraries if library not in UNBUNDLED]
    assert unbundle_plugin_namespaces() == ["@radix-ui/themes"]
    assert registry.bundled_libraries == before  # Reflex's own (react, its state, ...) stay, in order
    assert unbundle_plugin_namespaces() == []


def test_a_library_the_app_bundles_itself_stays(registry):
    bundle_library("@radix-ui/themes")  # an app with a dynamic component built from Radix Themes
    assert unbundle_plugin_namespaces() == []
    assert "@radix-ui/themes" in registry.bundled_libraries
