"""The resource directory: resources/*.yaml read into entries, every mistake with file and line.

Organizations edit these files (see README, "Resources and referrals"). An entry's `name`,
`description` and `hours` are text for families: either one text for every language, or a map
from locale codes to texts where `en` is required and other languages fall back to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import phonenumbers
from babel import Locale

from ..conversation.yamlfile import ContentError, LineDict, load_yaml
from ..conversation.zipcodes import STATES
from .countries import babel_locale, is_country

NATIONAL = "national"
CONSULATE = "consulate"
LOCAL = ("legal_aid", "bond_fund", "accompaniment", "food_rent", "other")
KINDS = (NATIONAL, CONSULATE, *LOCAL)
TEXT_FIELDS = ("name", "description", "hours")
FIELDS = {
    "id", "kind", "name", "description", "hours", "phone", "web", "languages", "countries",
    "aliases", "states", "zips", "source", "as_of", "example",
}
# Languages of many families from Mexico and Guatemala that the CLDR (babel) does not name:
# Mam, Q'anjob'al, Mixtec, Yucatec Maya, Nahuatl, Tzotzil, Tzeltal, Ixil, Chuj, Akateko, Q'eqchi'.
INDIGENOUS = frozenset(
    {"mam", "kjb", "mix", "yua", "nah", "tzo", "tzh", "ixl", "cac", "knj", "kek"}
)
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Resource:
    """One place a family can turn to: who, for whom, how to reach them, and who says so."""

    id: str
    kind: str
    name: dict[str, str]
    phone: str | None
    web: str | None
    source: str
    as_of: dt.date
    file: str
    line: int
    description: dict[str, str] = field(default_factory=dict)
    hours: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    zips: tuple[str, ...] = ()
    example: bool = False

    def text(self, what: str, locale: str | None) -> str:
        """A translatable field in a language, falling back to English."""
        texts: dict[str, str] = getattr(self, what)
        return texts.get(locale or "en") or texts.get("en", "")

    @property
    def local(self) -> bool:
        return self.kind in LOCAL


@dataclass(frozen=True)
class Problem:
    severity: str
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class Directory:
    """Every entry of resources/, and what is wrong with them."""

    entries: list[Resource] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def sent(self) -> list[Resource]:
        """The entries families may get: examples are never sent."""
        return [e for e in self.entries if not e.example]


def load_directory(
    folder: Path, locales: list[str], *, max_age_days: int, today: dt.date | None = None
) -> Directory:
    """Read and check every resources/*.yaml; problems are collected, not raised."""
    directory = Directory()
    today = today or dt.date.today()
    folder = Path(folder)
    if not folder.is_dir():
        directory.errors.append(Problem(ERROR, str(folder), None, "the folder does not exist"))
        return directory
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = load_yaml(path)
        except ContentError as exc:
            directory.errors.append(Problem(ERROR, exc.path, exc.line, exc.message))
            continue
        items = data.get("resources") if isinstance(data, dict) else None
        if not isinstance(items, list):
            line = data.line if isinstance(data, LineDict) else None
            directory.errors.append(Problem(ERROR, str(path), line, "needs a 'resources:' list"))
            continue
        for item in items:
            _Entry(directory, path, item, locales, seen, max_age_days, today).read()
    return directory


def require(directory: Directory) -> Directory:
    """The directory, or a ContentError naming the first mistake (the app refuses to start)."""
    if directory.errors:
        first = directory.errors[0]
        raise ContentError(first.file, first.line, first.message)
    return directory


class _Entry:
    """Reads one entry, reporting each problem at its line."""

    def __init__(
        self,
        directory: Directory,
        path: Path,
        item: object,
        locales: list[str],
        seen: dict[str, str],
        max_age_days: int,
        today: dt.date,
    ):
        self.directory = directory
        self.path = str(path)
        self.item = item
        self.locales = locales
        self.seen = seen
        self.max_age_days = max_age_days
        self.today = today
        self.ok = True

    def line(self, key: str | None = None) -> int | None:
        item = self.item
        if not isinstance(item, LineDict):
            return None
        return item.line_of(key) if key else item.line

    def error(self, key: str | None, message: str) -> None:
        self.ok = False
        self.directory.errors.append(Problem(ERROR, self.path, self.line(key), message))

    def read(self) -> None:
        item = self.item
        if not isinstance(item, dict):
            self.error(None, "each resource is a mapping with id, kind, name, source, as_of")
            return
        for key in sorted(set(item) - FIELDS):
            self.error(key, f"unknown field '{key}'")
        ident = self.identity()
        kind = item.get("kind")
        if kind not in KINDS:
            self.error("kind", f"{ident}: kind must be one of {', '.join(KINDS)}")
        texts = {f: self.texts(f, ident, required=f == "name") for f in TEXT_FIELDS}
        phone, web = self.phone(ident), self.web(ident)
        if item.get("phone") is None and item.get("web") is None:
            self.error(None, f"{ident}: give a phone or a web address")
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            self.error("source", f"{ident}: 'source' must say where the facts come from")
        as_of = self.as_of(ident)
        languages = self.codes("languages", ident, self.known_language, "an unknown language")
        countries = self.codes("countries", ident, is_country, "not a two-letter country code")
        states = self.codes("states", ident, STATES.__contains__, "not a two-letter state code")
        zips = self.codes("zips", ident, _zip_prefix, "a ZIP prefix is 3 to 5 digits in quotes")
        aliases = self.codes("aliases", ident, bool, "an alias must be text")
        if kind == CONSULATE and not countries:
            self.error("countries", f"{ident}: a consulate lists its 'countries' (like [MX])")
        if kind in LOCAL and not (states or zips):
            self.error(None, f"{ident}: a local resource lists the 'states' or 'zips' it serves")
        example = item.get("example", False)
        if not isinstance(example, bool):
            self.error("example", f"{ident}: example is true or false")
        if not self.ok or as_of is None:
            return
        age = (self.today - as_of).days
        if age > self.max_age_days:
            self.directory.warnings.append(Problem(
                WARNING, self.path, self.line("as_of"),
                f"{ident}: checked {age} days ago (as_of {as_of}); check it again and update as_of",
            ))
        self.directory.entries.append(Resource(
            id=ident, kind=kind, name=texts["name"], description=texts["description"],
            hours=texts["hours"], phone=phone, web=web, source=source.strip(), as_of=as_of,
            file=self.path, line=self.line() or 0, languages=languages, countries=countries,
            aliases=aliases, states=states, zips=zips, example=bool(example),
        ))

    def identity(self) -> str:
        ident = self.item.get("id")
        if not isinstance(ident, str) or not ident.strip():
            self.error("id", "each resource needs an 'id'")
            return "?"
        if ident in self.seen:
            self.error("id", f"the id '{ident}' is already used at {self.seen[ident]}")
        self.seen[ident] = f"{self.path}:{self.line('id')}"
        return ident

    def texts(self, key: str, ident: str, *, required: bool) -> dict[str, str]:
        value = self.item.get(key)
        if value is None:
            if required:
                self.error(None, f"{ident}: '{key}' is missing")
            return {}
        if isinstance(value, str):
            return {"en": value.strip()} if value.strip() else {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.error(key, f"{ident}: '{key}' is a text, or a map of locale codes to texts")
            return {}
        for code in value:
            line = value.line_of(code) if isinstance(value, LineDict) else self.line(key)
            if code in self.locales:
                continue
            if self.known_language(code):
                # A locale an organization removed: the text stays, and is not sent.
                self.directory.warnings.append(Problem(
                    WARNING, self.path, line, f"{ident}: no locale '{code}' in locales/: not sent"
                ))
                continue
            self.ok = False
            self.directory.errors.append(Problem(
                ERROR, self.path, line, f"{ident}: '{code}' is not a language code like es or vi"
            ))
        if not str(value.get("en", "")).strip():
            self.error(key, f"{ident}: '{key}' needs an English text under 'en'")
        return {code: text.strip() for code, text in value.items() if text.strip()}

    def phone(self, ident: str) -> str | None:
        raw = self.item.get("phone")
        if raw is None:
            return None
        try:
            number = phonenumbers.parse(str(raw), "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.error("phone", f"{ident}: '{raw}' is not a valid phone number")
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def web(self, ident: str) -> str | None:
        raw = self.item.get("web")
        if raw is None:
            return None
        text = str(raw).strip()
        if not text or " " in text or "." not in text or text.startswith("http://"):
            self.error("web", f"{ident}: '{raw}' is not a web address (https:// or a bare domain)")
            return None
        return text

    def as_of(self, ident: str) -> dt.date | None:
        raw = self.item.get("as_of")
        try:
            day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            self.error("as_of", f"{ident}: as_of is the day the entry was checked, YYYY-MM-DD")
            return None
        if day > self.today:
            self.error("as_of", f"{ident}: as_of {day} is in the future")
            return None
        return day

    def codes(
        self, key: str, ident: str, valid: Callable[[str], bool], what: str
    ) -> tuple[str, ...]:
        raw = self.item.get(key)
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.error(key, f"{ident}: '{key}' is a list of texts in quotes, like [\"CA\"]")
            return ()
        bad = [v for v in raw if not valid(v)]
        if bad:
            self.error(key, f"{ident}: {', '.join(map(str, bad))}: {what}")
        return tuple(raw)

    def known_language(self, code: str) -> bool:
        if code in self.locales or code in INDIGENOUS or code in _cldr_languages():
            return True
        return "-" in code and babel_locale(code) is not None  # zh-Hans, pt-BR


@cache
def _cldr_languages() -> frozenset[str]:
    return frozenset(Locale("en").languages)


def _zip_prefix(value: str) -> bool:
    return value.isascii() and value.isdigit() and 3 <= len(value) <= 5
