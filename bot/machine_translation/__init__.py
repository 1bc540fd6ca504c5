"""Machine translation for advocates, behind one small interface.

Off unless an operator points LIBRETRANSLATE_URL at a translation server they run: with no
setting, `NoTranslator` answers every request with `Unavailable` and no text leaves the
machine. Every failure (an unsupported pair, a timeout, an HTTP error, a server that is down)
is an `Unavailable`, never an exception: the advocate then reads the original text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

# Why a translation is missing; the inbox words each one for the advocate.
OFF = "off"  # no translation server is configured
SAME = "same"  # the text is already in the reader's language
UNSUPPORTED = "unsupported"  # the server does not offer this pair of languages
TIMEOUT = "timeout"
ERROR = "error"  # the server answered with an error, or with something unreadable
DOWN = "down"  # the server could not be reached


@dataclass(frozen=True)
class Translation:
    """A text in another language, as the machine made it (it may be wrong)."""

    text: str


@dataclass(frozen=True)
class Unavailable:
    """No translation, and why (one of the reasons above)."""

    reason: str


class Translator(Protocol):
    """What the inbox needs from a translation backend.

    `source` and `target` are the hotline's locale codes; `languages()` is what the server
    offers, in its own codes: each source language and the languages it translates into.
    `enabled` is False when nothing is ever sent anywhere.
    """

    enabled: bool

    def translate(self, text: str, source: str, target: str) -> Translation | Unavailable: ...

    def translate_all(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[Translation] | Unavailable: ...

    def languages(self) -> Mapping[str, frozenset[str]]: ...


class NoTranslator:
    """The default: translation is off, and nothing is ever sent anywhere."""

    enabled = False

    def translate(self, text: str, source: str, target: str) -> Translation | Unavailable:
        return Unavailable(OFF)

    def translate_all(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[Translation] | Unavailable:
        return Unavailable(OFF)

    def languages(self) -> Mapping[str, frozenset[str]]:
        return {}


def translator_from(url: str, api_key: str = "", timeout: float = 3.0) -> Translator:
    """LibreTranslate at `url`, or no translation at all when `url` is empty."""
    if not url:
        return NoTranslator()
    from .libretranslate import LibreTranslate

    return LibreTranslate(url, api_key=api_key, timeout=timeout)
