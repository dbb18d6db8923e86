"""The shopper's language: Spanish (es-CL) unless they chose English with the switch in the header.

The choice is a cookie, so it stays with the browser; `<html lang>` follows it (the script in LANG_SCRIPT runs
before the page paints, `set_language` changes it at once). Pages put texts on screen with `t(key, ...)`: both
languages are compiled into the page and the one chosen shows; the prerendered HTML holds the Spanish.
Handlers that answer in words (toasts) use `await language_of(self)` and `pepestore.i18n.say`.
"""

from __future__ import annotations

import contextlib
import contextvars

import reflex as rx

from pepestore.components import plain
from pepestore.i18n import DEFAULT, LANGUAGES, normalise, say

COOKIE = "pepestore_lang"
ONE_YEAR = 365 * 24 * 3600

# Runs in <head> before the body: an English reader's page says lang="en" from the first paint.
LANG_SCRIPT = (
    "(function(){try{var m=document.cookie.match(/(?:^|; )" + COOKIE + "=([^;]*)/);"
    "if(m&&decodeURIComponent(m[1])==='en'){document.documentElement.lang='en';}}catch(e){}})();"
)


# Set while a page is built for one fixed language (the product page's early copies, pepestore/early_product.py):
# t() then says that language's text, with no switch on the reader's choice.
_FIXED: contextvars.ContextVar[str | None] = contextvars.ContextVar("pepestore_fixed_language", default=None)


@contextlib.contextmanager
def fixed_language(language: str):
    token = _FIXED.set(language)
    try:
        yield
    finally:
        _FIXED.reset(token)


class LanguageState(rx.State):
    lang: str = rx.Cookie(DEFAULT, name=COOKIE, max_age=ONE_YEAR, same_site="lax")

    @rx.var
    def is_english(self) -> bool:
        return self.lang == "en"

    @rx.event
    def set_language(self, language: str):
        if not isinstance(language, str) or language not in LANGUAGES:
            return rx.toast.error(say(self.lang, "language.unknown"))
        self.lang = language
        return rx.call_script(f"document.documentElement.lang = {language!r}")


async def language_of(state: rx.State) -> str:
    """The reader's language, from inside any handler (in a background one, inside `async with self`)."""
    return normalise((await state.get_state(LanguageState)).lang)


def t(key: str, **params) -> rx.Var:
    """A text on a page, in the reader's language. Params may be state vars: t("order.placed", at=State.when)."""
    fixed = _FIXED.get()
    if fixed is not None:
        return rx.Var.create(LANGUAGES[fixed][key].format(**params) if params else LANGUAGES[fixed][key])
    spanish = LANGUAGES[DEFAULT][key].format(**params) if params else LANGUAGES[DEFAULT][key]
    english = LANGUAGES["en"][key].format(**params) if params else LANGUAGES["en"][key]
    if spanish == english:
        return rx.Var.create(spanish)
    return rx.cond(LanguageState.is_english, english, spanish)


def language_switch() -> rx.Component:
    """The visible switch: shows the other language's name; a click changes and remembers the choice.

    A plain button with Radix's ghost-button classes (pepestore/components/plain.py says why). Its accessible name
    is the name it shows, in that language (a voice-control user says what they see: WCAG 2.5.3); what it does is
    its description and tooltip, in the page's language."""
    fixed = _FIXED.get()
    if fixed is not None:  # an early product copy, built in one language: inert until the live page replaces it
        english = fixed == "en"
        shown, lang, live = ("Español" if english else "English"), ("es" if english else "en"), {}
    else:
        shown = rx.cond(LanguageState.is_english, "Español", "English")
        lang = rx.cond(LanguageState.is_english, "es", "en")
        live = {"id": "language-switch",
                "on_click": LanguageState.set_language(rx.cond(LanguageState.is_english, DEFAULT, "en"))}
    return plain.button(rx.el.span(shown, lang=lang), variant="ghost", color="gray",
                        title=t("language.switch_label"), **live)


def t_of(prefix: str, key: rx.Var) -> rx.Var:
    """A text whose key is only known in the browser (a state var): t_of("sort", option) says "sort.<option>"."""
    pick = {lang: {k.removeprefix(prefix + "."): v for k, v in texts.items() if k.startswith(prefix + ".")}
            for lang, texts in LANGUAGES.items()}
    return rx.cond(LanguageState.is_english, rx.Var.create(pick["en"])[key], rx.Var.create(pick[DEFAULT])[key])
