"""`hotline locales stats`: how complete each language is, and what its main paths cost in SMS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..config import Settings
from ..conversation.flows import Flow, State
from ..conversation.formats import format_date_long
from ..conversation.i18n import SOURCE, Catalog
from ..conversation.sms import GSM7, UCS2, segment_info, split_for_sms
from .check import Report
from .source import MISSING, STALE, TRANSLATED, UNSTAMPED, UNTRANSLATED, key_status

DEFAULT_HOTLINE_NAME = Settings.hotline_name  # what a texter sees when none is set
SAMPLE_REF = "K7F-3QX"
SAMPLE_PHONE = "(212) 555-0100"
SAMPLE_A_NUMBER = "A-123-456-789"
SAMPLE_DATES = {"dob": date(1985, 3, 14)}
SAMPLE_DATE = date(2026, 11, 3)
# Answers to the free-text questions of a full intake, as a family might write them. The
# others (time in the US, a past arrest...) are choices: the sample answer is a choice's label.
SAMPLE_ZIP = "90210"
# The referral card's places, as names and numbers read in any language.
SAMPLE_RESOURCES = "CIAM: (520) 623-7874\nICE: (888) 351-4024\nEOIR: (800) 898-7180"
SAMPLE_TEXT = {
    "name": "Maria Lopez Garcia",
    "country": "Guatemala",
    "arrest_place": "Houston, at work",
    "held_at": "Conroe",
}


@dataclass(frozen=True)
class MessagePath:
    """A way through the conversation that a texter commonly takes."""

    name: str
    title: str
    menu_choice: str  # the menu option that leads into it
    from_first_contact: bool  # starts with the welcome, language and menu messages


PATHS = (
    MessagePath("discretion", "First text, then what discretion is", "pd", True),
    MessagePath("intake", "A full intake after an arrest", "arrest", False),
)


@dataclass
class PathCost:
    """What a texter receives along one path, in one language."""

    name: str
    title: str
    turns: list[list[str]]  # locale keys sent, one list per message the texter sends
    messages: int  # SMS messages received (parts joined as the hotline joins them)
    segments: int  # segments billed
    encoding: str  # GSM-7, UCS-2, or "mixed"


@dataclass
class LocaleStats:
    """One row of `hotline locales stats`."""

    code: str
    name: str
    native: str
    status: str
    reviewer: str
    reviewed: str
    total: int
    translated: int
    stale: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unstamped: list[str] = field(default_factory=list)
    paths: dict[str, PathCost] = field(default_factory=dict)

    @property
    def completion(self) -> float:
        return self.translated / self.total if self.total else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "locale": self.code,
            "name": self.name,
            "native": self.native,
            "status": self.status,
            "reviewer": self.reviewer,
            "reviewed": self.reviewed,
            "keys": self.total,
            "translated": self.translated,
            "completion": round(self.completion, 4),
            "stale": self.stale,
            "untranslated": self.untranslated,
            "missing": self.missing,
            "unstamped": self.unstamped,
            "paths": {
                p.name: {
                    "title": p.title,
                    "messages": p.messages,
                    "segments": p.segments,
                    "encoding": p.encoding,
                }
                for p in self.paths.values()
            },
        }


def _next_on_path(flow: Flow, state: State, path: MessagePath) -> str | None:
    if state.name == flow.role("menu"):
        return state.choice(path.menu_choice).next
    if state.next:
        return state.next
    return next((c.next for c in state.choices if c.next), None)


def path_turns(flow: Flow, path: MessagePath) -> list[list[str]]:
    """The locale keys a texter receives along a path, grouped by the message that caused them."""
    menu = flow.states[flow.role("menu")]
    name: str | None = flow.start if path.from_first_contact else menu.choice(path.menu_choice).next
    turns: list[list[str]] = []
    current: list[str] = []
    visited: set[str] = set()
    while name and name not in visited:
        visited.add(name)
        state = flow.states[name]
        current += state.say
        if state.expect == "language":
            # The engine's first reply: who we are, a guess at the language, the language menu.
            current += ["welcome.intro", "language.offer", "language.menu"]
        elif state.expect == "review":
            current += ["review.intro"]
        if state.ask and state.expect not in ("language", "none"):
            current.append(state.ask)
        if state.expect == "none" and not state.quiet:
            name = state.next
            continue
        turns.append(current)
        current = []
        if state.quiet:
            break
        name = _next_on_path(flow, state, path)
    if current:
        turns.append(current)
    return turns


def _sample_answer(catalog: Catalog, state: State, code: str) -> str:
    if state.expect in ("choice", "multi"):
        # The option the path takes: the one that goes where the question goes next.
        picked = [c for c in state.choices if c.next in (None, state.next)]
        picked = picked[:2] if state.expect == "multi" else picked[:1]
        keys = [c.label or c.words for c in picked]
        return ", ".join(catalog.render(k, code) for k in keys if k)
    if state.expect == "date":
        return format_date_long(SAMPLE_DATES.get(state.save or "", SAMPLE_DATE), code)
    if state.expect == "phone":
        return SAMPLE_PHONE
    if state.expect == "anumber":
        return SAMPLE_A_NUMBER
    if state.expect == "zip":
        return SAMPLE_ZIP
    return SAMPLE_TEXT.get(state.save or "", "Houston")


def sample_params(
    catalog: Catalog, flow: Flow | None, code: str, hotline_name: str = DEFAULT_HOTLINE_NAME
) -> dict[str, str]:
    """Typical values for every placeholder, as a texter in this language would see them."""
    order = [code, *[c for c in catalog.codes if c != code]]
    options = "\n".join(f"{n} {catalog.locales[c].native}" for n, c in enumerate(order, 1))
    params = {
        "hotline": hotline_name,
        "ref": SAMPLE_REF,
        "number": SAMPLE_PHONE,
        "date": format_date_long(SAMPLE_DATE, code),
        "options": options,
        "answers": "",
        "resources": SAMPLE_RESOURCES,
    }
    if flow is not None:
        intake = path_turns(flow, PATHS[1])
        visited = {key for turn in intake for key in turn}
        lines = []
        # As the engine lists them: only the questions asked along the path, numbered
        # without gaps (a follow-up that was not asked takes no number).
        asked = [name for name in flow.review if flow.states[name].ask in visited]
        for number, name in enumerate(asked, 1):
            state = flow.states[name]
            label = catalog.render(state.label, code) if state.label else name
            lines.append(f"{number}. {label}: {_sample_answer(catalog, state, code)}")
        params["answers"] = "\n".join(lines)
    return params


def path_cost(
    catalog: Catalog, flow: Flow, path: MessagePath, code: str, params: dict[str, str]
) -> PathCost:
    """Messages and segments a texter in this language receives along a path."""
    turns = path_turns(flow, path)
    messages = []
    for turn in turns:
        parts = [catalog.render(key, code, params) for key in turn]
        messages += split_for_sms(parts)
    infos = [segment_info(m) for m in messages]
    encodings = {i.encoding for i in infos}
    encoding = encodings.pop() if len(encodings) == 1 else ("mixed" if encodings else GSM7)
    return PathCost(
        path.name, path.title, turns, len(messages), sum(i.segments for i in infos), encoding
    )


def locale_stats(
    report: Report, hotline_name: str = DEFAULT_HOTLINE_NAME, only: str | None = None
) -> list[LocaleStats]:
    """Completion, stale keys, review status and path costs of every locale that loaded."""
    en = report.english
    if en is None:
        return []
    catalog = Catalog({code: own.locale for code, own in report.files.items()})
    rows = []
    for code, own in report.files.items():
        if only is not None and code != only:
            continue
        loc = own.locale
        keys = list(en.locale.messages)
        by_status: dict[str, list[str]] = {}
        for key in keys:
            by_status.setdefault(key_status(en.locale, loc, key), []).append(key)
        translated = len(keys) if code == SOURCE else sum(
            len(by_status.get(s, [])) for s in (TRANSLATED, STALE, UNSTAMPED)
        )
        row = LocaleStats(
            code=code,
            name=loc.name,
            native=loc.native,
            status=loc.status,
            reviewer=loc.reviewer,
            reviewed=loc.reviewed,
            total=len(keys),
            translated=translated,
            stale=by_status.get(STALE, []),
            untranslated=by_status.get(UNTRANSLATED, []),
            missing=by_status.get(MISSING, []),
            unstamped=by_status.get(UNSTAMPED, []),
        )
        if report.flow is not None:
            params = sample_params(catalog, report.flow, code, hotline_name)
            for path in PATHS:
                row.paths[path.name] = path_cost(catalog, report.flow, path, code, params)
        rows.append(row)
    return rows


def _path_cell(cost: PathCost | None, english: PathCost | None) -> str:
    if cost is None:
        return "-"
    ratio = f" x{cost.segments / english.segments:.1f}" if english and english.segments else ""
    return f"{cost.segments} seg in {cost.messages} SMS, {cost.encoding}{ratio}"


def format_stats(rows: list[LocaleStats]) -> str:
    """The stats as a plain-text table, then the stale and missing keys of each locale."""
    english = next((r for r in rows if r.code == SOURCE), None)
    head = ["locale", "status", "reviewed", "translated", "stale"]
    head += [p.title for p in PATHS]
    table = [head]
    for row in rows:
        reviewed = f"{row.reviewer} {row.reviewed}".strip() or "-"
        cells = [
            f"{row.code} {row.native}",
            row.status,
            reviewed,
            f"{row.translated}/{row.total} {row.completion:.0%}",
            str(len(row.stale)),
        ]
        for path in PATHS:
            base = english.paths.get(path.name) if english else None
            cells.append(_path_cell(row.paths.get(path.name), base))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        "seg = SMS segments a texter receives along the path (what Twilio bills), with "
        "example answers; xN = compared with English."
    )
    for row in rows:
        for label, keys in (("stale", row.stale), ("missing", row.missing)):
            if keys:
                lines.append(f"{row.code} {label}: {', '.join(keys)}")
    return "\n".join(lines)


__all__ = [
    "PATHS",
    "UCS2",
    "format_stats",
    "LocaleStats",
    "MessagePath",
    "PathCost",
    "locale_stats",
    "path_cost",
    "path_turns",
    "sample_params",
]
