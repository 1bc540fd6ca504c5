"""`hotline locales check`: every mistake a translator can make, with the file and line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..conversation.flows import Flow, load_flows
from ..conversation.i18n import PLACEHOLDER, SOURCE, Catalog, source_hash
from ..conversation.sms import segment_info
from ..conversation.yamlfile import ContentError
from .collisions import collisions, unnamed_keywords
from .policy import DEFAULT_MAX_AGE_DAYS, age_days, names_year, read_policy
from .source import (
    HASH,
    MISSING,
    STALE,
    UNSTAMPED,
    UNTRANSLATED,
    LocaleFile,
    display_path,
    key_status,
    load_locale_file,
    locale_paths,
)

ERROR = "error"
WARNING = "warning"
MAX_LENGTH = 1600  # Twilio refuses longer bodies
LONG_LENGTH = 320  # above this a message costs 3+ segments: worth a second look


# Keys the engine reads as comma-separated words to match, never sends as a message.
_WORD_LIST_KEYS = frozenset(
    {
        "common.yes", "common.no", "common.unsure", "review.send", "review.edit",
        "resume.continue", "resume.restart",
    }
)


def is_word_list(key: str) -> bool:
    """Whether a key holds words a texter may type (its SMS length costs nothing)."""
    return key.startswith("keywords.") or key.endswith("words") or key in _WORD_LIST_KEYS


@dataclass(frozen=True)
class Issue:
    """One problem in a locale file."""

    severity: str
    kind: str
    file: str
    line: int | None
    message: str
    locale: str | None = None
    key: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "locale": self.locale,
            "key": self.key,
            "file": self.file,
            "line": self.line,
            "kind": self.kind,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        subject = f"{self.key}: " if self.key else ""
        return f"{where}: {self.severity}: {subject}{self.message}"


@dataclass(frozen=True)
class MessageInfo:
    """What Twilio makes of one message as written: encoding, length, segments."""

    locale: str
    key: str
    length: int
    encoding: str
    segments: int
    unicode_chars: tuple[str, ...] = ()
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "locale": self.locale,
            "key": self.key,
            "length": self.length,
            "encoding": self.encoding,
            "segments": self.segments,
        }


@dataclass
class Report:
    """Everything `locales check` found, plus the loaded files for stats and preview."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    messages: list[MessageInfo] = field(default_factory=list)
    files: dict[str, LocaleFile] = field(default_factory=dict)
    flow: Flow | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def english(self) -> LocaleFile | None:
        return self.files.get(SOURCE)

    def add(self, issue: Issue) -> None:
        (self.errors if issue.severity == ERROR else self.warnings).append(issue)

    def issues(self, locale: str | None = None) -> list[Issue]:
        found = [*self.errors, *self.warnings]
        return [i for i in found if locale is None or i.locale == locale]

    def as_json(self) -> dict[str, list[dict[str, object]]]:
        """The shape DESIGN.md promises: {"errors", "warnings", "messages"}."""
        return {
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "messages": [m.as_dict() for m in self.messages],
        }


_segment_info = lru_cache(maxsize=8192)(segment_info)


def message_info(locale: str, key: str, text: str, line: int | None = None) -> MessageInfo:
    """Encoding and segments of a message, from the same calculator the hotline trusts."""
    info = _segment_info(text)
    return MessageInfo(
        locale, key, info.length, info.encoding, info.segments, info.unicode_chars, line
    )


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


class _Checker:
    def __init__(self, report: Report):
        self.report = report

    def issue(
        self,
        severity: str,
        kind: str,
        own: LocaleFile,
        line: int | None,
        message: str,
        key: str | None = None,
    ) -> None:
        self.report.add(
            Issue(severity, kind, display_path(own.path), line, message, own.code, key)
        )

    # ------------------------------------------------------------------ every locale
    def messages(self, own: LocaleFile) -> None:
        for key, text in own.locale.messages.items():
            line = own.locale.lines.get(key)
            info = message_info(own.code, key, text, line)
            self.report.messages.append(info)
            if info.length > MAX_LENGTH:
                self.issue(
                    ERROR, "too_long", own, line,
                    f"{info.length} characters: Twilio refuses messages over {MAX_LENGTH:,}",
                    key,
                )
            elif info.length > LONG_LENGTH and not is_word_list(key):
                self.issue(
                    WARNING, "long", own, line,
                    f"{info.length} characters, {info.segments} SMS segments ({info.encoding}):"
                    f" over {LONG_LENGTH}, can it be shorter?",
                    key,
                )
            leftover = PLACEHOLDER.sub("", text)
            if "{" in leftover or "}" in leftover:
                self.issue(
                    WARNING, "brace", own, line,
                    "a lone { or }: a placeholder is a name in braces, like {ref}",
                    key,
                )

    # ------------------------------------------------------------------ English
    def english(self, en: LocaleFile) -> None:
        for key, text in en.locale.messages.items():
            names = placeholders(text)
            context = " ".join(en.context(key))
            unexplained = sorted(n for n in names if "{" + n + "}" not in context)
            if unexplained:
                shown = ", ".join("{" + n + "}" for n in unexplained)
                self.issue(
                    WARNING, "context", en, en.locale.lines.get(key),
                    f"say what {shown} stands for in a comment above the key",
                    key,
                )

    def policy(self, en: LocaleFile, today: dt.date, max_age_days: int) -> None:
        """Messages that state policy: reviewed recently, and naming their "as of" year."""
        entries, problems = read_policy(en)
        for problem in problems:
            self.issue(ERROR, "policy", en, problem.line, problem.message, problem.key)
        for entry in entries:
            age = age_days(entry, today)
            if age is not None and age > max_age_days:
                self.issue(
                    WARNING, "policy_age", en, entry.line,
                    f"last reviewed {entry.reviewed}, {age} days ago (more than {max_age_days}):"
                    f" check it against its sources ({entry.sources or 'none given'}), update"
                    " the text and every translation, then the reviewed date",
                    entry.key,
                )
            if entry.as_of is None:
                continue
            year = entry.as_of[0]
            for code, own in self.report.files.items():
                text = own.locale.messages.get(entry.key, "")
                if code != SOURCE and key_status(en.locale, own.locale, entry.key) in (
                    UNTRANSLATED, MISSING
                ):
                    continue
                if not names_year(text, year):
                    self.issue(
                        ERROR if code == SOURCE else WARNING, "policy_as_of", own,
                        own.locale.lines.get(entry.key),
                        f"states policy as of {year}-{entry.as_of[1]:02d} (policy: in en.yaml),"
                        f" but the text does not say {year}",
                        entry.key,
                    )

    # ------------------------------------------------------------------ translations
    def header(self, own: LocaleFile) -> None:
        loc = own.locale
        header = own.data["language"]
        expected = _direction(loc.code)
        if expected and loc.direction != expected:
            self.issue(
                ERROR, "direction", own, header.line_of("direction"),
                f"{loc.name} is written {'right to left' if expected == 'rtl' else 'left to right'}"
                f": set direction: {expected}",
            )
        if loc.status == "reviewed":
            if not loc.reviewer.strip():
                self.issue(
                    ERROR, "header", own, header.line_of("reviewer"),
                    "status is reviewed: name the reviewer",
                )
            if not _is_date(loc.reviewed):
                self.issue(
                    ERROR, "header", own, header.line_of("reviewed"),
                    "status is reviewed: give the review date as YYYY-MM-DD",
                )
        elif loc.reviewed and not _is_date(loc.reviewed):
            self.issue(
                ERROR, "header", own, header.line_of("reviewed"),
                "the review date must look like 2026-03-14 (YYYY-MM-DD)",
            )

    def keys(self, en: LocaleFile, own: LocaleFile) -> None:
        english, loc = en.locale, own.locale
        for key in english.messages:
            if key not in loc.messages:
                self.issue(
                    WARNING, "missing", own, own.nearest_line(key),
                    f"missing: the hotline sends the English text "
                    f"({display_path(en.path)}:{english.lines[key]})",
                    key,
                )
        for key, text in loc.messages.items():
            line = loc.lines.get(key)
            if key not in english.messages:
                self.issue(
                    ERROR, "extra", own, line,
                    "not a key of the English file: a typo, or a key English no longer has",
                    key,
                )
                continue
            if not text.strip():
                self.issue(
                    ERROR, "empty", own, line,
                    "empty: write the translation, or delete the line to send English", key,
                )
                continue
            source = placeholders(english.messages[key])
            used = placeholders(text)
            for name in sorted(source - used):
                self.issue(
                    ERROR, "placeholder_missing", own, line,
                    f"{{{name}}} is missing: keep it as it is in English", key,
                )
            for name in sorted(used - source):
                known = ", ".join("{" + n + "}" for n in sorted(source)) or "none"
                self.issue(
                    ERROR, "placeholder_unknown", own, line,
                    f"{{{name}}} is not a placeholder of this message (English has: {known})",
                    key,
                )

    def sources(self, en: LocaleFile, own: LocaleFile) -> None:
        english = en.locale
        for key, raw in own.raw_sources().items():
            line = own.sources_line(key)
            if not isinstance(raw, str) or not HASH.fullmatch(raw):
                self.issue(
                    ERROR, "source_hash", own, line,
                    f"sources: {raw!r} is not an 8-letter fingerprint in quotes, like "
                    f'"{source_hash("example")}"',
                    key,
                )
            elif key not in english.messages:
                self.issue(
                    WARNING, "source_unknown", own, line,
                    "sources: lists a key the English file does not have", key,
                )
        untranslated, unstamped = [], []
        for key in english.messages:
            status = key_status(english, own.locale, key)
            raw = own.raw_sources().get(key)
            if status == STALE and isinstance(raw, str) and HASH.fullmatch(raw):
                self.issue(
                    WARNING, "stale", own, own.locale.lines.get(key),
                    "stale: the English changed after this was translated "
                    f"({display_path(en.path)}:{english.lines[key]}). Update it, then run "
                    f"`hotline locales stamp {own.code} {key}`",
                    key,
                )
            elif status == UNTRANSLATED and own.locale.messages.get(key, "").strip():
                untranslated.append(key)
            elif status == UNSTAMPED:
                unstamped.append(key)
        self.summary(
            own, untranslated, "untranslated",
            "still in English (and not marked as checked in sources:)",
            f"translate them, or run `hotline locales stamp {own.code} KEY` if English is right",
        )
        self.summary(
            own, unstamped, "unstamped",
            "translated, but with no fingerprint in sources:, so a later English change "
            "will go unnoticed",
            f"run `hotline locales stamp {own.code}`",
        )
        if own.locale.status == "reviewed":
            behind = [
                k for k in english.messages
                if key_status(english, own.locale, k) in (STALE, MISSING)
            ]
            if behind:
                self.issue(
                    WARNING, "status", own, own.data["language"].line_of("status"),
                    f"status is reviewed, but {_keys(len(behind))} stale or missing: "
                    "review them, or set status: draft",
                )

    def keyword_words(self, en: LocaleFile, own: LocaleFile) -> None:
        """Where English names a keyword (STOP, SKIP...), the translation must name one too."""
        for key, token, list_key, words in unnamed_keywords(en, own):
            self.issue(
                WARNING, "keyword_word", own, own.locale.lines.get(key),
                f"English says {token} here, a word the texter types back: use one of "
                f"this language's words under {list_key} ({', '.join(words)}), or "
                f"{token} itself, or the texter will type a word that does not work",
                key,
            )

    def summary(self, own: LocaleFile, keys: list[str], kind: str, what: str, fix: str) -> None:
        if not keys:
            return
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        self.issue(
            WARNING, kind, own, own.locale.lines.get(keys[0]),
            f"{_keys(len(keys))} {what}: {shown}. To fix: {fix}",
        )


def _keys(count: int) -> str:
    return f"{count} key is" if count == 1 else f"{count} keys are"


def _direction(code: str) -> str | None:
    """The writing direction of a language per the Unicode CLDR, or None if unknown."""
    from babel import Locale as BabelLocale
    from babel import UnknownLocaleError

    try:
        order = BabelLocale.parse(code, sep="-").character_order
    except (UnknownLocaleError, ValueError):
        return None
    return "rtl" if order == "right-to-left" else "ltr"


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()))


# ---------------------------------------------------------------------- the whole check
def load_files(locales_dir: Path, report: Report) -> None:
    """Load every locale file; one that cannot be read becomes an error with its line."""
    for stray in sorted(Path(locales_dir).glob("*.yml")):
        report.add(
            Issue(WARNING, "file", display_path(stray), None,
                  "ignored: locale files end in .yaml, not .yml")
        )
    for path in locale_paths(locales_dir):
        try:
            report.files[path.stem] = load_locale_file(path)
        except ContentError as exc:
            report.add(
                Issue(ERROR, "file", display_path(exc.path), exc.line, exc.message, path.stem)
            )
    if not (Path(locales_dir) / f"{SOURCE}.yaml").exists():
        report.add(
            Issue(ERROR, "file", display_path(Path(locales_dir) / "en.yaml"), None,
                  "the English file is missing: every other locale translates it")
        )


def load_flow_for(report: Report, flows_dir: Path | None) -> None:
    """The flow, for keyword collisions and message paths; a broken flow is only a warning here."""
    if flows_dir is None or report.english is None:
        return
    catalog = Catalog({code: own.locale for code, own in report.files.items()})
    try:
        report.flow = load_flows(flows_dir, catalog)
    except ContentError as exc:
        report.add(
            Issue(WARNING, "flow", display_path(exc.path), exc.line,
                  f"keyword collisions not checked: {exc.message} (run `hotline flows check`)")
        )


def check_locales(
    locales_dir: Path,
    flows_dir: Path | None = None,
    only: Iterable[str] | None = None,
    *,
    today: dt.date | None = None,
    policy_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Report:
    """Check every locale file against English (and the flow, for keyword collisions)."""
    report = Report()
    load_files(locales_dir, report)
    load_flow_for(report, flows_dir)
    en = report.english
    if en is None:
        return report
    checker = _Checker(report)
    checker.english(en)
    checker.policy(en, today or dt.date.today(), policy_max_age_days)
    for code, own in report.files.items():
        checker.messages(own)
        if code == SOURCE:
            continue
        checker.header(own)
        checker.keys(en, own)
        checker.sources(en, own)
        checker.keyword_words(en, own)
    if report.flow is not None:
        for found in collisions(report.files, report.flow):
            checker.issue(
                ERROR, "collision", report.files[found.code], found.line, found.message, found.key
            )
    if only is not None:
        wanted = set(only)
        report.errors = [i for i in report.errors if i.locale in wanted]
        report.warnings = [i for i in report.warnings if i.locale in wanted]
        report.messages = [m for m in report.messages if m.locale in wanted]
    return report
