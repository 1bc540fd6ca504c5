"""The referral card: the consulate and the nearest resources for a family, in their language.

Matching goes from the nearest to the widest: the consulate of the detained person's country
of birth, local entries serving the family's ZIP prefix (longest first), then their state, then
the national lines. The card keeps what fits in MAX_SEGMENTS SMS segments, in that order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..conversation.formats import format_phone
from ..conversation.i18n import Catalog
from ..conversation.sms import segment_info
from ..conversation.text import fold
from ..conversation.zipcodes import state_of
from .countries import find_country
from .directory import CONSULATE, NATIONAL, Directory, Resource

MAX_SEGMENTS = 3
CARD = "referrals.card"  # the locale message around the list: "{resources}"
COUNTRY = "country"  # the intake's answer: the detained person's country of birth
ZIP = "zip"  # the intake's answer: the family's ZIP code


def matching(
    directory: Directory, answers: Mapping[str, Any] | None, languages: Iterable[str] = ()
) -> list[Resource]:
    """The entries for a family's answers, nearest first; with no answers, the national lines."""
    answers = answers or {}
    sent = directory.sent
    found: list[Resource] = []
    country = _country(sent, answers.get(COUNTRY), languages)
    if country:
        found += [e for e in sent if e.kind == CONSULATE and country in e.countries]
    zip_code = str(answers.get(ZIP) or "")
    if zip_code:
        by_zip = [
            (max(len(p) for p in e.zips if zip_code.startswith(p)), e)
            for e in sent
            if e.local and any(zip_code.startswith(p) for p in e.zips)
        ]
        found += [e for _, e in sorted(by_zip, key=lambda pair: -pair[0])]
        state = state_of(zip_code)
        found += [e for e in sent if e.local and state in e.states and e not in found]
    found += [e for e in sent if e.kind == NATIONAL]
    return found


def _country(entries: list[Resource], typed: object, languages: Iterable[str]) -> str | None:
    if not isinstance(typed, str) or not typed.strip():
        return None
    code = find_country(typed, languages)
    if code:
        return code
    folded = fold(typed).strip(" .")
    for entry in entries:
        if entry.kind == CONSULATE and folded in {fold(a) for a in entry.aliases}:
            return entry.countries[0]
    return None


def line(entry: Resource, locale: str | None) -> str:
    """'Consulate of Mexico: 1 (520) 623-7874' (the web address when there is no phone)."""
    reach = format_phone(entry.phone) if entry.phone else entry.web
    return f"{entry.text('name', locale)}: {reach}"


def fitting(catalog: Catalog, locale: str | None, entries: list[Resource]) -> list[Resource]:
    """The entries the card holds: as many as fit in MAX_SEGMENTS with its words, in order."""
    kept: list[Resource] = []
    for entry in entries:
        lines = "\n".join(line(e, locale) for e in [*kept, entry])
        text = catalog.render(CARD, locale, {"resources": lines})
        if kept and segment_info(text).segments > MAX_SEGMENTS:
            continue  # a shorter entry further down may still fit
        kept.append(entry)
    return kept


def card_lines(catalog: Catalog, locale: str | None, entries: list[Resource]) -> str:
    """The card's list, one place per line."""
    return "\n".join(line(e, locale) for e in fitting(catalog, locale, entries))


def card(catalog: Catalog, locale: str | None, entries: list[Resource]) -> str:
    """The card as the family reads it."""
    return catalog.render(CARD, locale, {"resources": card_lines(catalog, locale, entries)})
