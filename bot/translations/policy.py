"""Messages that state law or policy: when a person last checked them, and the "as of" they name.

The `policy:` section of locales/en.yaml lists them. Law changes faster than translations, so
the check warns before a family reads something that stopped being true: a review older than
the allowed age, or a text (English or translated) that no longer names the year its "as of"
gives.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..conversation.yamlfile import LineDict
from .source import LocaleFile

DEFAULT_MAX_AGE_DAYS = 180
FIELDS = {"reviewed", "as_of", "sources"}
_MAPPING = "policy: maps message keys to reviewed, as_of and sources"
_AS_OF = re.compile(r"(\d{4})-(\d{2})")
# Digits as some locales write them: Arabic-Indic and Eastern Arabic-Indic.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class PolicyEntry:
    """One message that states policy, as the English file describes it."""

    key: str
    line: int | None
    reviewed: dt.date | None
    as_of: tuple[int, int] | None  # (year, month)
    sources: str


@dataclass(frozen=True)
class PolicyProblem:
    """Something wrong in the policy: section itself (an error, with its line)."""

    line: int | None
    key: str | None
    message: str


def read_policy(en: LocaleFile) -> tuple[list[PolicyEntry], list[PolicyProblem]]:
    """The entries of en.yaml's policy: section, and what is malformed in it."""
    section = en.data.get("policy")
    if section is None:
        return [], []
    if not isinstance(section, LineDict):
        return [], [PolicyProblem(en.data.line_of("policy"), None, _MAPPING)]
    entries, problems = [], []
    for key, raw in section.items():
        line = section.line_of(key)
        key = str(key)
        if key not in en.locale.messages:
            problems.append(
                PolicyProblem(line, key, "policy: names a message en.yaml does not have")
            )
            continue
        if not isinstance(raw, LineDict):
            problems.append(PolicyProblem(line, key, _MAPPING))
            continue
        for name in sorted(set(raw) - FIELDS):
            problems.append(
                PolicyProblem(
                    raw.line_of(name), key, f"unknown field '{name}' (use reviewed, as_of, sources)"
                )
            )
        reviewed = _date(raw.get("reviewed"))
        if reviewed is None:
            problems.append(
                PolicyProblem(raw.line_of("reviewed") or line, key,
                              "reviewed: give the day it was last checked, as YYYY-MM-DD in quotes")
            )
        as_of = None
        if raw.get("as_of") is not None:
            as_of = _month(raw.get("as_of"))
            if as_of is None:
                problems.append(
                    PolicyProblem(raw.line_of("as_of"), key,
                                  "as_of: give the month the text names, as YYYY-MM in quotes")
                )
        entries.append(PolicyEntry(key, line, reviewed, as_of, str(raw.get("sources") or "")))
    return entries, problems



def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _month(value: object) -> tuple[int, int] | None:
    match = _AS_OF.fullmatch(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def age_days(entry: PolicyEntry, today: dt.date) -> int | None:
    return None if entry.reviewed is None else (today - entry.reviewed).days


def names_year(text: str, year: int) -> bool:
    """Whether a message mentions the year of its "as of", in any digits."""
    return str(year) in text.translate(_DIGITS)
