"""Dates: a past date read from a message in the texter's language, and warming the date parsers."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from dateparser.date import DateDataParser

from .date_words import CJK_FILLER, Cues, base_language, cues_for, kreyol_months_to_french
from .text import clean, fold

_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class DateAnswer:
    """A past date read from a message; certain=False means confirm it back first."""

    value: datetime.date
    certain: bool


@lru_cache(maxsize=64)
def _day_first(locale: str) -> bool:
    """True when the locale writes day before month in numeric dates (babel short format)."""
    lang = base_language(locale)
    if lang == "ht":
        return True  # babel's Haitian data is ISO-only; people write day/month like French.
    try:
        loc = Locale.parse(locale.replace("-", "_")) if locale else Locale("en", "US")
    except Exception:
        try:
            loc = Locale.parse(lang)
        except Exception:
            return False
    pattern = loc.date_formats["short"].pattern
    d, m = pattern.find("d"), pattern.find("M")
    return 0 <= d < m


def _settings(today: datetime.date) -> dict:
    """dateparser settings anchored at noon today, preferring the past."""
    return {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time(12, 0)),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }


@lru_cache(maxsize=128)
def _date_parser(lang: str, today: datetime.date) -> DateDataParser:
    """One DateDataParser per (language, day): construction is cheap, first parse is not."""
    dp_lang = "fr" if lang == "ht" else lang
    languages = ["en"] if dp_lang == "en" else [dp_lang, "en"]
    return DateDataParser(languages=languages, settings=_settings(today))


# Numeric dates. Separators: / . - (and spaces around them); years of 2 or 4 digits.
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?![\d/-]|\.\d)")
_NUM_DATE = re.compile(
    r"(?<![\d/.-])(\d{1,2}) ?([/.-]) ?(\d{1,2})(?: ?[/.-] ?(\d{4}|\d{2}))?(?![\d/-]|\.\d)"
)
_CJK_DATE = re.compile(r"(?:(\d{2,4}) ?[年년] ?)?(\d{1,2}) ?[月월] ?(\d{1,2}) ?(?:[日号號일])?")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Times of day ("a las 3", "at 7:30", "5pm", "15h", "晚上8点", "오후 3시"): dropped before reading a
# date so "el lunes a las 3" is not read as the 3rd. A bare number is never taken for a time.
_TIME_PREP = r"(?:a las|a la|a eso de las|como a las|at|around|about|vers|as|alas|luc|bandang)"
_AM_PM = r"(?:[ap]\.? ?m\b\.?|hrs?|horas?|heures?|h|oras|gio)"
_TIME = re.compile(
    rf"(?:(?<!\w){_TIME_PREP} )?(?<![\d/.:-])\d{{1,2}}[:h]\d{{2}}(?: ?{_AM_PM})?(?!\w)"
    rf"|(?:(?<!\w){_TIME_PREP} )?(?<![\d/.:-])\d{{1,2}} ?{_AM_PM}(?!\w)"
    rf"|(?<!\w){_TIME_PREP} \d{{1,2}}(?![\d/.:-]|\w)"
    r"|\d{1,2} ?[点點時시](?:半|\d{1,2} ?[分분])?"
)


def _safe_date(y: int, m: int, d: int) -> datetime.date | None:
    """datetime.date or None when out of range."""
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _most_recent(m: int, d: int, today: datetime.date) -> tuple[datetime.date | None, bool]:
    """Month/day without a year: this year if not in the future, else last year (less sure)."""
    value = _safe_date(today.year, m, d)
    if value is not None and value <= today:
        return value, True
    value = _safe_date(today.year - 1, m, d)
    if value is None and m == 2 and d == 29:
        return None, False
    return value, False


def _numeric_dates(f: str, locale: str, today: datetime.date) -> list[DateAnswer]:
    """All numeric dates in folded text f ('3/11', '3/11/2026', '2026-11-03', '11月3日')."""
    found: list[DateAnswer] = []
    for m in _ISO_DATE.finditer(f):
        value = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if value is not None and value <= today:
            found.append(DateAnswer(value, True))
    f = _ISO_DATE.sub(" ", f)
    for m in _CJK_DATE.finditer(f):
        month, day = int(m.group(2)), int(m.group(3))
        if m.group(1):
            year = int(m.group(1))
            year += 2000 if year < 100 else 0
            value = _safe_date(year, month, day)
            if value is not None and value <= today:
                found.append(DateAnswer(value, True))
        else:
            value, sure = _most_recent(month, day, today)
            if value is not None:
                found.append(DateAnswer(value, sure))
    f = _CJK_DATE.sub(" ", f)
    day_first = _day_first(locale)
    for m in _NUM_DATE.finditer(f):
        a, b = int(m.group(1)), int(m.group(3))
        if m.group(2) == "-" and not m.group(4):
            continue  # "3-4" is more often a range or a count than a date
        day, month = (a, b) if day_first else (b, a)
        ambiguous = a <= 12 and b <= 12 and a != b
        if not 1 <= month <= 12:
            day, month = month, day  # only one reading makes sense: take it
        year_text = m.group(4)
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            value = _safe_date(year, month, day)
            sure = not ambiguous
            if value is not None and value > today and ambiguous:
                value, sure = _safe_date(year, day, month), False
            if value is not None and value <= today:
                found.append(DateAnswer(value, sure))
        else:
            value, sure = _most_recent(month, day, today)
            if value is not None:
                found.append(DateAnswer(value, sure and not ambiguous))
    return found


def _last_weekday(wd: int, today: datetime.date, previous_week: bool) -> datetime.date:
    """Most recent weekday wd strictly before today, or that weekday in the previous week."""
    if previous_week:
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return monday + datetime.timedelta(days=wd)
    back = (today.weekday() - wd) % 7 or 7
    return today - datetime.timedelta(days=back)


def _leftover(f: str, spans: list[tuple[int, int]], cues: Cues) -> bool:
    """True when something other than cue words and filler remains in f."""
    rest = list(f)
    for start, end in spans:
        rest[start:end] = [" "] * (end - start)
    text = CJK_FILLER.sub(" ", "".join(rest))
    return any(w not in cues.filler for w in text.split())


def _from_cues(f: str, cues: Cues, today: datetime.date) -> DateAnswer | None | bool:
    """Relative words and weekdays; False when no cue was found (so other parsers can try)."""
    content = [w for w in f.split() if w not in cues.filler]
    if len(content) == 1 and content[0] in cues.abbr:
        return DateAnswer(_last_weekday(cues.abbr[content[0]], today, False), False)
    rel: set[int] = set()
    weekdays: set[int] = set()
    prev_week_days: set[int] = set()
    last_week = False
    spans: list[tuple[int, int]] = []
    for m in cues.regex.finditer(f):
        kind, n = cues.meaning[m.group()]
        spans.append(m.span())
        if kind == "rel":
            rel.add(n)
        elif kind == "wd":
            weekdays.add(n)
        elif kind == "lastweek_wd":
            prev_week_days.add(n)
        else:
            last_week = True
    for m in (p.search(f) for p in cues.days_ago):
        if m:
            raw = m.group("n")
            n = int(raw) if raw.isdigit() else cues.num_words.get(raw, 0)
            if n:
                rel.add(n)
                spans.append(m.span())
    if not (rel or weekdays or prev_week_days or last_week):
        return False
    if len(rel) > 1 or len(weekdays | prev_week_days) > 1:
        return None  # "hoy o ayer", "lunes o martes": ask again
    whole = not _leftover(f, spans, cues)
    if rel:
        value = today - datetime.timedelta(days=rel.pop())
        if weekdays or prev_week_days:
            # "ayer viernes": the weekday confirms; a mismatch means we should check back.
            wd = (weekdays | prev_week_days).pop()
            return DateAnswer(value, whole and value.weekday() == wd)
        return DateAnswer(value, whole and not last_week)
    if prev_week_days:
        return DateAnswer(_last_weekday(prev_week_days.pop(), today, True), False)
    if weekdays:
        return DateAnswer(_last_weekday(weekdays.pop(), today, last_week), False)
    return DateAnswer(today - datetime.timedelta(days=7), False)


def _normalise_for_dateparser(f: str, lang: str, cues: Cues) -> str:
    """Drop filler words ('el', 'pasado', 'dernier') and map Kreyòl months to French."""
    if lang == "ht":
        f = kreyol_months_to_french(f)
    return " ".join(w for w in f.split() if w not in cues.filler or w.isdigit())


def _dateparser(text: str, lang: str, today: datetime.date) -> DateAnswer | None:
    """dateparser on text; only day-precise results (certain) or week ones (to confirm)."""
    try:
        data = _date_parser(lang, today).get_date_data(text)
    except Exception:
        return None
    if data is None or data.date_obj is None:
        return None
    if data.period not in ("day", "week", "time"):
        return None  # "November", "2025", "a": too vague to be an arrest date
    value = data.date_obj.date()
    if value > today:
        return None
    return DateAnswer(value, data.period != "week")


def parse_date(text: str, locale: str, today: datetime.date) -> DateAnswer | None:
    """A past date in the texter's language ('ayer', 'el lunes', '3/11', '3 de noviembre')."""
    if isinstance(today, datetime.datetime):
        today = today.date()
    raw = clean(text)
    if not raw or len(raw) > 120:
        return None
    lang = base_language(locale)
    cues = cues_for(lang)
    folded = " ".join(fold(raw).split())
    dotted = " ".join(_TIME.sub(" ", folded).split())
    f = " ".join(_NON_WORD.sub(" ", dotted.replace("_", " ")).split())

    numeric = _numeric_dates(dotted, locale or "en", today)
    if numeric:
        values = {a.value for a in numeric}
        if len(values) > 1:
            return None
        answer = numeric[0]
        cue = _from_cues(f, cues, today)
        if isinstance(cue, DateAnswer) and cue.value.weekday() != answer.value.weekday():
            return DateAnswer(answer.value, False)
        return answer
    if not _HAS_LETTER.search(f):
        return None  # bare numbers ("1", "15", "123456789") are not dates

    cue = _from_cues(f, cues, today)
    # Digits that are not a "N days ago" count ("lunes 23 de noviembre") name a calendar date:
    # dateparser reads it, and a weekday that disagrees only makes us confirm.
    has_date_digits = any(c.isdigit() for c in f) and not any(p.search(f) for p in cues.days_ago)
    if cue is not False and not has_date_digits:
        return cue if cue is None or cue.value <= today else None

    normalised = _normalise_for_dateparser(f, lang, cues)
    # Without the weekday too ("lendi 23 novanm" -> "23 novembre"): the date alone decides.
    no_weekday = " ".join(
        cues.regex.sub(
            lambda m: " " if cues.meaning[m.group()][0] == "wd" else m.group(), normalised
        ).split()
    )
    if _HAS_LETTER.search(normalised):
        first = raw if dotted == folded else normalised
        for candidate in dict.fromkeys((first, normalised, no_weekday)):
            answer = _dateparser(candidate, lang, today)
            if answer is not None:
                if isinstance(cue, DateAnswer) and cue.value.weekday() != answer.value.weekday():
                    return DateAnswer(answer.value, False)
                return answer
    if cue is not False:
        return cue if cue is None or cue.value <= today else None
    return None


def warm_up(locales: Sequence[str] | None = None) -> None:
    """Load dateparser's and babel's data now so the first real message is parsed fast.

    Each language's data costs about 1 MB once loaded (the parser itself about 9 MB): a
    worker warms the languages most texters use, and loads the others when first needed.
    """
    today = datetime.date.today()
    samples = {
        "en": "November 3",
        "es": "3 de noviembre",
        "pt": "3 de novembro",
        "fr": "3 novembre",
        "ht": "3 novanm",
        "zh-Hans": "2026年11月3日 星期二",
        "zh-Hant": "2026年11月3日 星期二",
        "vi": "ngày 3 tháng 11",
        "tl": "Nobyembre 3",
        "ko": "11월 3일 화요일",
        "ar": "3 نوفمبر",
    }
    for locale, sample in samples.items():
        if locales is not None and locale not in locales:
            continue
        try:
            _dateparser(sample, base_language(locale), today)
            parse_date(sample, locale, today)
            parse_date("3/11", locale, today)
        except Exception:  # pragma: no cover - warm-up must never stop the app starting
            pass
