"""The store's texts, one module per language: es.py (es-CL, the default) and en.py.

Each module holds one dict, key -> text; a text may name values in braces ("Only {count} left"), filled in by
`say`. Add a text by adding the same key to every language module: tests/unit/test_texts.py fails while a key
exists in one language and not the other, or while the placeholders differ. Pages use `pepestore.state.language.t`
(both languages compiled into the page, switched by the shopper's choice); server code that answers a person
(toasts, emails, refusals) uses `say(language, key, ...)`.

Why a Python module and not gettext/Babel catalogs: there is nothing to extract or compile (no .po/.mo step in
the build or the dev loop), a text is found with "go to definition", and a missing text fails a plain unit test.
With two languages written by the developers themselves, gettext's tooling for translators buys nothing.
"""

from __future__ import annotations

from pepestore.i18n.en import EN
from pepestore.i18n.es import ES

DEFAULT = "es-CL"
LANGUAGES: dict[str, dict[str, str]] = {"es-CL": ES, "en": EN}


def normalise(language: object) -> str:
    """One of LANGUAGES: anything else (a tampered cookie, an old value) reads as the default."""
    return language if isinstance(language, str) and language in LANGUAGES else DEFAULT


def say(language: object, key: str, **params: object) -> str:
    """The text for `key` in `language`, its placeholders filled. An unknown key raises: never show a raw key."""
    template = LANGUAGES[normalise(language)][key]
    return template.format(**params) if params else template


class Text:
    """A text to say later, in the language of whoever reads it: services return these (refusals, notices) since
    they do not know the reader. Made through `text`, which refuses an unknown key at once."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object):
        if key not in LANGUAGES[DEFAULT]:
            raise KeyError(f"no text {key!r} in pepestore/i18n/es.py")
        self.key, self.params = key, params

    def say(self, language: object = DEFAULT) -> str:
        # A param may itself be a Text (an order's status, say): it is said in the same language.
        params = {name: value.say(language) if isinstance(value, Text) else value
                  for name, value in self.params.items()}
        return say(language, self.key, **params)

    def __str__(self) -> str:
        return self.say(DEFAULT)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.params) == (other.key, other.params)

    __hash__ = None  # type: ignore[assignment]


def text(key: str, **params: object) -> Text:
    return Text(key, **params)


def catalog_problems(languages: dict[str, dict[str, str]] | None = None) -> list[str]:
    """What is wrong with the language modules: a key missing from one, placeholders that differ, an empty text.
    tests/unit/test_texts.py requires this to be empty."""
    import string

    languages = languages if languages is not None else LANGUAGES
    problems = []
    every_key = set().union(*(set(texts) for texts in languages.values()))
    for name, texts in languages.items():
        for key in sorted(every_key - set(texts)):
            problems.append(f"{key!r} is missing from {name}")
    reference = languages[DEFAULT] if DEFAULT in languages else next(iter(languages.values()))
    for name, texts in languages.items():
        for key, value in texts.items():
            if not value.strip():
                problems.append(f"{key!r} is empty in {name}")
            if key in reference:
                ours = {field for _, field, _, _ in string.Formatter().parse(value) if field}
                theirs = {field for _, field, _, _ in string.Formatter().parse(reference[key]) if field}
                if ours != theirs:
                    problems.append(f"{key!r} names {sorted(ours)} in {name} but {sorted(theirs)} in {DEFAULT}")
    return problems
