"""The family's own answer to the court question ("December 8 in Houston", "el 15 de enero a
las 9"), read for a date and a time an advocate can confirm. Never trusted without them."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time

log = logging.getLogger(__name__)
# A time written in the answer: "9:00", "9am", "a las 9", "15h". Without one, no time is offered.
_HAS_TIME = re.compile(r"\d{1,2}[:h]\d{2}|\d{1,2}\s*[ap]\.?\s?m\b", re.IGNORECASE)
# "a las 9", "at 9", "às 9": an hour after a time word, which dateparser takes for a day.
_BARE_HOUR = re.compile(r"\b(?:a las|a la|at|à|às|vers|alas)\s+(\d{1,2})(?![:\d]|\s*[ap]\.?\s?m\b)",
                        re.IGNORECASE)


def read_answer(text: str, locale: str, now: datetime) -> tuple[date | None, time | None]:
    """The first future date in the text (and its time, when one is written), else None."""
    if not (text or "").strip():
        return None, None
    from dateparser.search import search_dates

    language = (locale or "en").split("-")[0]
    language = "fr" if language == "ht" else language  # dateparser has no Kreyòl
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "MDY" if language == "en" else "DMY",
    }
    languages = list(dict.fromkeys([language, "en"]))
    text = _BARE_HOUR.sub(lambda m: f" {m.group(1)}:00", text)
    try:
        found = search_dates(text, languages=languages, settings=settings) or []
    except Exception:  # an odd answer must never break the case page
        log.info("hearing answer: no date read")
        return None, None
    for words, moment in found:
        if any(ch.isdigit() for ch in words) or len(words) > 3:
            clock = moment.time() if _HAS_TIME.search(words) else None
            return moment.date(), clock
    return None, None
