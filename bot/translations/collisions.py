"""Words a texter types: keywords, menu words and language names that collide or go unnamed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..conversation.choices import match_keyword
from ..conversation.flows import Flow
from ..conversation.i18n import SOURCE
from ..conversation.text import fold
from ..conversation.turn import KEYWORDS
from .source import UNTRANSLATED, LocaleFile, key_status

# STOP works in every language at any time; START only after STOP, so it collides with nothing.
GLOBAL_KEYWORDS = tuple(k for k in KEYWORDS if k not in ("stop", "start"))
# A word in capitals, not at the start of a sentence ("OK. I will..." is not the word OK).
_CAPITALS = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z]{2,}\b")
# Word lists that a message may tell the texter to type: every keyword, and the review words.
_WORD_LISTS = ("review.send", "review.edit")


# ---------------------------------------------------------------------- keywords a message names
def keyword_mentions(en: LocaleFile) -> dict[str, list[tuple[str, str]]]:
    """English messages that name a word the texter can type: key → [(word, word list key)]."""
    lists = {
        key: {fold(w) for w in _own_words(en, key)}
        for key in en.locale.messages
        if key.startswith("keywords.") or key in _WORD_LISTS
    }
    found: dict[str, list[tuple[str, str]]] = {}
    for key, text in en.locale.messages.items():
        if key in lists:
            continue
        for token in dict.fromkeys(_CAPITALS.findall(text)):
            for list_key, words in lists.items():
                if fold(token) in words:
                    found.setdefault(key, []).append((token, list_key))
    return found


def unnamed_keywords(
    en: LocaleFile, own: LocaleFile
) -> Iterator[tuple[str, str, str, list[str]]]:
    """Where English names a word the texter types back and the translation names none that works.

    Yields (key, the English word, its word list key, the words that would work).
    """
    for key, mentions in keyword_mentions(en).items():
        text = own.locale.messages.get(key, "")
        if not text.strip() or text == en.locale.messages[key]:
            continue
        for token, list_key in mentions:
            words = _own_words(own, list_key) + _own_words(en, list_key)
            if not any(_mentions(text, word) for word in words):
                yield key, token, list_key, words


def _mentions(text: str, word: str) -> bool:
    """The text contains the word as a whole word (anywhere, for scripts without spaces)."""
    folded, target = fold(text), fold(word)
    if not target:
        return False
    if any(ord(ch) >= 0x2E80 for ch in target):  # Chinese, Japanese, Korean
        return target in folded
    return re.search(rf"(?<!\w){re.escape(target)}(?!\w)", folded) is not None


# ---------------------------------------------------------------------- keyword collisions
@dataclass(frozen=True)
class Collision:
    """A word that means two things in one conversation, reported on one locale's key."""

    code: str
    key: str
    line: int | None
    message: str


@dataclass(frozen=True)
class _Word:
    word: str
    code: str
    key: str  # dotted key, or "language.native" / "language.name" / "language.code"
    role: str  # what typing it does, in a person's words


def _own_words(own: LocaleFile, key: str) -> list[str]:
    return [w.strip() for w in own.locale.messages.get(key, "").split(",") if w.strip()]


def _word_line(own: LocaleFile, key: str) -> int | None:
    if key in ("language.native", "language.name", "language.code"):
        return own.data["language"].line_of(key.split(".")[1])
    return own.locale.lines.get(key)


def menu_word_keys(flow: Flow) -> list[tuple[str, str]]:
    """(choice id, locale key) of every word list and label that picks a menu option."""
    menu = flow.states[flow.role("menu")]
    return [(c.id, key) for c in menu.choices for key in (c.words, c.label) if key]


def language_words(files: dict[str, LocaleFile]) -> list[_Word]:
    """Words that pick or switch to each language: native name, English name, code, extras."""
    found = []
    english = files[SOURCE].locale
    for code, own in files.items():
        loc = own.locale
        role = f"switch to {loc.name}"
        found += [
            _Word(loc.native, code, "language.native", role),
            _Word(loc.name, code, "language.name", role),
            _Word(code, code, "language.code", role),
        ]
        # A new file starts with the English words ("english, ingles"): not yet this
        # language's, so they only count once translated.
        if key_status(english, loc, "language.words") != UNTRANSLATED:
            extra = _own_words(own, "language.words")
            found += [_Word(w, code, "language.words", role) for w in extra]
    return found


def _owner(first: _Word, second: _Word) -> _Word:
    """The word whose file a collision is reported in: the non-English one, the first if both."""
    return next((w for w in (first, second) if w.code != SOURCE), first)


def _owner_in(code: str, first: _Word, second: _Word) -> _Word | None:
    """In a conversation in `code`, the word of that language a collision is reported on.

    None when the pair belongs to another language's report: English conversations report
    only English pairs; a pair of English and another language's STOP word is reported
    in that language.
    """
    if code == SOURCE:
        return first if first.code == second.code == SOURCE else None
    return next((w for w in (first, second) if w.code == code), None)


def _said(word: _Word) -> str:
    return f"'{word.word}' ({word.key}, {word.code})"


def _conversation_words(files: dict[str, LocaleFile], flow: Flow, code: str) -> tuple[list, list]:
    """Menu words and global keywords the engine accepts in a conversation in one language."""
    visible = list(dict.fromkeys([code, SOURCE]))  # the engine always adds the English words
    menu = [
        _Word(w, c, key, f"pick menu option '{choice}'")
        for choice, key in menu_word_keys(flow)
        for c in visible
        for w in _own_words(files[c], key)
    ]
    keywords = [
        _Word(w, c, "keywords.stop", "STOP (in any language)")
        for c in files
        for w in _own_words(files[c], "keywords.stop")
    ]
    keywords += [
        _Word(w, c, f"keywords.{name}", f"act as the keyword {name.upper()}")
        for name in GLOBAL_KEYWORDS
        for c in visible
        for w in _own_words(files[c], f"keywords.{name}")
    ]
    return menu, keywords


@lru_cache(maxsize=65536)
def _matches(typed: str, word: str) -> bool:
    """Whether the engine would take a message that is exactly `typed` for `word`."""
    return match_keyword(typed, [word])


def collisions(files: dict[str, LocaleFile], flow: Flow) -> list[Collision]:
    """Words that mean two things in one conversation: the engine would take the wrong one."""
    languages = language_words(files)
    found: dict[tuple, Collision] = {}

    def add(owner: _Word, typed: _Word, taken: _Word, message: str) -> None:
        # The same word may come from this language and from English: say it once.
        other = ("language", taken.code) if taken.key.startswith("language.") else (
            taken.key, fold(taken.word)
        )
        pair = (owner.code, typed.key, fold(typed.word), *other)
        line = _word_line(files[owner.code], owner.key)
        found.setdefault(pair, Collision(owner.code, owner.key, line, message))

    for code in files:
        menu, keywords = _conversation_words(files, flow, code)
        for typed in menu:
            for taken in keywords + languages:
                owner = _owner_in(code, typed, taken)
                if owner and _matches(typed.word, taken.word):
                    add(owner, typed, taken,
                        f"{_said(typed)} is a menu word, but matches {_said(taken)}: "
                        f"texting it would {taken.role}")
        for i, first in enumerate(keywords):
            for second in keywords[i + 1 :]:
                owner = _owner_in(code, first, second)
                if owner and first.key != second.key and _matches(first.word, second.word):
                    add(owner, first, second,
                        f"{_said(first)} and {_said(second)} are keywords that match each "
                        "other: a texter typing one may get the other")
    for i, first in enumerate(languages):
        for second in languages[i + 1 :]:
            if first.code != second.code and fold(first.word) == fold(second.word):
                add(_owner(second, first), second, first,
                    f"{_said(second)} picks a language, and so does {_said(first)}: "
                    f"texting it would {first.role}")
    return list(found.values())
