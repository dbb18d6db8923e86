from __future__ import annotations

from pepestore.i18n import DEFAULT, Text


class StoreError(Exception):
    """A refusal the shopper should read: the message is written for them, in plain words.

    Give it a `Text` (pepestore.i18n.text) to have it said in the reader's language (`say`); a plain string is
    shown as it is, in every language (kept for messages not translated yet)."""

    def __init__(self, message: str | Text):
        self.text = message if isinstance(message, Text) else None
        self.message = str(message)  # the default language, for logs and for readers with no choice made
        super().__init__(self.message)

    def say(self, language: object = DEFAULT) -> str:
        return self.text.say(language) if self.text is not None else self.message
