"""Machine translation in the inbox: family messages in the advocate's reading language.

The translation server is called outside any database transaction, for the messages the page
shows only, in one request per page. Whatever goes wrong, the advocate reads the original
with a notice and can still send what they wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlmodel import Session

from ..machine_translation import (
    DOWN,
    ERROR,
    OFF,
    SAME,
    TIMEOUT,
    UNSUPPORTED,
    Translator,
    Unavailable,
)
from ..machine_translation import cache as translations
from ..storage.models import Message
from .desk import Desk

MAX_SHOWN = 40  # family messages translated on one page: the newest
NOTICES = {
    TIMEOUT: "Translation unavailable: the translation server did not answer in time.",
    DOWN: "Translation unavailable: the translation server cannot be reached.",
    ERROR: "Translation unavailable: the translation server answered with an error.",
    UNSUPPORTED: "Translation unavailable: the translation server does not translate {source} "
    "into {target}.",
}
LABEL = "Machine translation — may be wrong"


@dataclass
class Shown:
    """Under a family message: its translation, or a notice saying why there is none."""

    text: str | None = None
    notice: str | None = None
    machine: bool = False  # the text is a machine's translation


def desk() -> Desk:
    return current_app.extensions["advocates"]


def translator() -> Translator:
    return current_app.extensions["machine_translation"]


def notice(reason: str, source: str, target: str) -> str | None:
    """The advocate's words for a missing translation; None when there is nothing to say."""
    if reason in (OFF, SAME):
        return None
    name = desk().language_name
    return NOTICES.get(reason, NOTICES[ERROR]).format(source=name(source), target=name(target))


def _has_words(text: str | None) -> bool:
    # "1", "A123456789", "3/14/1985": nothing a translation would help with.
    return any(ch.isalpha() for ch in text or "")


def family_words(messages: list[Message], source: str, target: str) -> dict[int, Shown]:
    """Translations of the family's messages into `target`, from the cache or the server."""
    if not translator().enabled or source == target:
        return {}
    wanted = [
        m for m in messages if m.direction == "in" and m.id is not None and _has_words(m.body)
    ][-MAX_SHOWN:]
    if not wanted:
        return {}
    db = desk().hotline.db
    with Session(db) as session:
        stored = translations.kept(session, [m.id for m in wanted], target)  # type: ignore[misc]
    shown = {message_id: Shown(text=row.body) for message_id, row in stored.items()}
    missing = [m for m in wanted if m.id not in stored]
    if not missing:
        return shown
    found = translator().translate_all([m.body or "" for m in missing], source, target)
    if isinstance(found, Unavailable):
        why = notice(found.reason, source, target)
        return shown | {m.id: Shown(notice=why) for m in missing if why}  # type: ignore[misc]
    fresh = {m.id: t.text for m, t in zip(missing, found, strict=False)}
    translations.keep(db, fresh, target)  # type: ignore[arg-type]
    return shown | {message_id: Shown(text=text) for message_id, text in fresh.items()}


def originals_of(session: Session, messages: list[Message]) -> dict[int, str]:
    """What advocates wrote before their replies were translated, by message id."""
    ids = [m.id for m in messages if m.author == "advocate" and m.id is not None]
    return {k: row.body for k, row in translations.originals(session, ids).items()}


def for_case_page(page: dict[str, Any], reading: str) -> dict[str, Any]:
    """What the case page adds: translations under family messages and own words, and the
    advocates' original words under their translated replies."""
    case, family = page["case"], page["family"]
    source = (family.locale if family else None) or case.language or "en"
    shown_messages = page["after"] + (page["before"] if len(page["before"]) <= 6 else [])
    own_words = set(page["summary"].own_words)
    everything = page["before"] + page["after"]
    story = [m for m in everything if m.direction == "in" and (m.body or "").strip() in own_words]
    on_page = {m.id: m for m in story + shown_messages}  # once each, oldest first
    words = family_words(sorted(on_page.values(), key=lambda m: m.id or 0), source, reading)
    by_text = {(m.body or "").strip(): words.get(m.id) for m in story}
    with Session(desk().hotline.db) as session:
        originals = originals_of(session, everything)
    catalog = desk().hotline.catalog
    return {
        "translations": words,
        "own_words_translated": [by_text.get(text) for text in page["summary"].own_words],
        "originals": originals,
        "machine_label": LABEL,
        "translation_on": translator().enabled,
        "reading": reading,
        "family_language": source,
        "family_language_name": desk().language_name(source),
        "reading_choices": [(code, desk().language_name(code)) for code in catalog.locales],
    }
