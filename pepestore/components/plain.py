"""Plain elements wearing Radix Themes' own classes, for the shop pages (catalog, product page, cart).

A Radix Themes component renders several React components in the browser, and every style prop Reflex gives it
becomes an emotion `css` prop: serialized and hashed while the page hydrates, its `<style>` moved into `<head>`,
which makes the browser recompute the styles of the whole page (a Chromium trace of the catalog at 4x CPU showed
~40 such rules and repeated full-document style recalculations after hydration). The same markup written out, with
the classes Radix would give each element and the page's few styles of its own in assets/styles.css, looks the same
and hydrates as plain elements with nothing for emotion to do. The catalog's cards were the first
(pepestore/components/catalog_card.py); these helpers do the same for the rest of the shop pages.

Responsive sizes are classes of assets/styles.css with their own media queries, not Radix's `sm:` classes: the
stylesheet trim (pepestore/css_purge.py) keeps those only for props some page gives per breakpoint.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink


def classes(*names: str | None) -> str:
    return " ".join(name for name in names if name)


def accent(color: str = "") -> dict:
    """The attribute Radix writes on buttons, badges and links: "" is the theme's accent."""
    return {"data-accent-color": color}


def text(*children, size: str | None = None, weight: str | None = None, class_name: str = "", tag: str = "p",
         **props) -> rx.Component:
    """rx.text: a `<p class="rt-Text …">` (or a span)."""
    element = rx.el.span if tag == "span" else rx.el.p
    return element(*children, class_name=classes("rt-Text", size and f"rt-r-size-{size}",
                                                 weight and f"rt-r-weight-{weight}", class_name), **props)


def heading(*children, size: str = "6", weight: str | None = None, class_name: str = "", **props) -> rx.Component:
    """rx.heading: an `<h1 class="rt-Heading …">`, as Reflex renders every heading."""
    return rx.el.h1(*children, class_name=classes("rt-Heading", f"rt-r-size-{size}",
                                                  weight and f"rt-r-weight-{weight}", class_name), **props)


def button_classes(size: str = "2", variant: str = "solid", class_name: str = "") -> str:
    return classes("rt-reset rt-BaseButton", f"rt-r-size-{size}", f"rt-variant-{variant}", "rt-Button", class_name)


def button(*children, size: str = "2", variant: str = "solid", color: str = "", class_name: str = "",
           disabled: bool = False, custom_attrs: dict | None = None, **props) -> rx.Component:
    """rx.button without loading state: a `<button class="rt-BaseButton rt-Button …">`."""
    attrs = {**accent(color), **(custom_attrs or {})}
    if disabled:  # Radix marks a disabled button with data-disabled, which its styles look for
        attrs["data-disabled"] = "true"
        props["disabled"] = True
    return rx.el.button(*children, class_name=button_classes(size, variant, class_name), custom_attrs=attrs,
                        **props)


def link(*children, href, class_name: str = "rt-underline-auto", **props) -> rx.Component:
    """rx.link: a client-side route link (React Router's) with Radix's link classes; `rx-link` is the hover colour
    Reflex adds to every link (assets/styles.css)."""
    return ReactRouterLink.create(*children, to=href, class_name=classes("rt-Text rt-reset rt-Link rx-link", class_name),
                                  custom_attrs=accent(), **props)


def button_link(*children, href, size: str = "2", variant: str = "solid", class_name: str = "",
                **props) -> rx.Component:
    """A link that looks like a Radix button: one focusable element, not a button nested in a link."""
    return ReactRouterLink.create(*children, to=href, class_name=button_classes(size, variant, class_name),
                                  custom_attrs=accent(), **props)


def badge(*children, size: str = "1", variant: str = "soft", color: str | rx.Var = "", radius: str | None = None,
          class_name: str = "", **props) -> rx.Component:
    attrs = accent() if isinstance(color, str) and not color else {"data-accent-color": color}
    if radius:
        attrs["data-radius"] = radius
    return rx.el.span(*children, class_name=classes("rt-reset rt-Badge", f"rt-r-size-{size}", f"rt-variant-{variant}",
                                                    class_name), custom_attrs=attrs, **props)


def row(*children, gap: str = "2", align: str = "start", class_name: str = "", **props) -> rx.Component:
    """rx.hstack: a flex row."""
    return rx.el.div(*children, class_name=classes("rt-Flex rt-r-fd-row", f"rt-r-ai-{align}", f"rt-r-gap-{gap}",
                                                   "rx-Stack", class_name), **props)


def column(*children, gap: str = "3", align: str = "start", class_name: str = "", **props) -> rx.Component:
    """rx.vstack: a flex column."""
    return rx.el.div(*children, class_name=classes("rt-Flex rt-r-fd-column", f"rt-r-ai-{align}", f"rt-r-gap-{gap}",
                                                   "rx-Stack", class_name), **props)


def spacer() -> rx.Component:
    return rx.el.div(class_name="rt-Flex flex-spacer")


def skeleton(class_name: str, **props) -> rx.Component:
    """rx.skeleton: Radix's pulsing placeholder, sized by a class."""
    return rx.el.span(class_name=classes("rt-Skeleton", class_name), tab_index=-1,
                      custom_attrs={"aria-hidden": "true", "data-inline-skeleton": "true", "inert": ""}, **props)
