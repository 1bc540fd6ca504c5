"""The handoff summary: what an advocate needs to act on a case within a minute.

It follows the flow (flows/hotline.yaml): the questions in review order, their labels from the
locales in the advocate's language, the answers normalised where the flow says what kind they
are (dates, A-numbers, phone numbers, choices) and verbatim where the family wrote them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel import Locale
from babel.dates import format_date, format_timedelta

from ..config import TWILIO_MEDIA_HOSTS
from ..conversation.flows import Flow, State
from ..conversation.formats import format_a_number, format_phone
from ..conversation.i18n import Catalog
from ..conversation.text import fold
from ..resources import Directory, Resource, matching
from ..resources.countries import babel_locale as _babel
from ..resources.countries import country_names as _countries
from ..resources.referrals import fitting
from ..resources.referrals import line as referral_line
from ..security import is_media_url
from ..storage.models import Case, Message

CALL_LANGUAGE = "call_language"  # the answer that names the language for the call
CHECKLIST = "factors"  # the several-answer question shown as a checklist (ties and needs)
URGENT = "urgent"  # the "is it urgent?" answer: a reason, never a fact of its own
COUNTRY = "country"  # a free-text answer normalised to a country when it names one
SAME_AS_CHAT = "chat"
OWN_WORDS_MIN = 4  # a message of at least this many words is the family telling their story


@dataclass
class Fact:
    """One labelled answer: the normalised value, and what the family typed when it differs."""

    label: str
    value: str
    typed: str | None = None
    link: str | None = None
    skipped: bool = False


@dataclass
class Check:
    label: str
    checked: bool


@dataclass
class Summary:
    """A case, ready to read: urgency, facts, checklist, the family's words, call language."""

    ref: str
    kind: str
    status: str
    urgent: bool
    language: str  # the conversation's locale code
    language_name: str
    channel: str
    created_at: dt.datetime
    reading: str  # the locale the labels are in
    urgent_reasons: list[Fact] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    checklist_label: str = ""
    checklist: list[Check] = field(default_factory=list)
    own_words: list[str] = field(default_factory=list)
    call_language: Fact | None = None
    media: list[str] = field(default_factory=list)
    media_hosts: tuple[str, ...] = TWILIO_MEDIA_HOSTS
    referrals: list[Resource] = field(default_factory=list)  # the family's referral card

    def referral_lines(self) -> list[str]:
        """The referral card's places, in the advocate's language where the entry has it."""
        return [referral_line(entry, self.reading) for entry in self.referrals]

    def files(self) -> list[tuple[str, bool]]:
        """Each file the family sent, and whether it may be a link (Twilio's hosts, https)."""
        return [(url, is_media_url(url, self.media_hosts)) for url in self.media]

    def text(self, link: str = "") -> str:
        """Plain text, for email and export."""
        lines = [
            f"Case {self.ref}" + (" — URGENT" if self.urgent else ""),
            f"Language: {self.language_name} ({self.language}) · {self.channel} · {self.kind}",
            f"Opened: {self.created_at:%Y-%m-%d %H:%M} UTC",
        ]
        if link:
            lines.append(f"Open: {link}")
        if self.urgent_reasons:
            lines += ["", "Why it is urgent:"]
            lines += [f"  {f.label}: {f.value}" for f in self.urgent_reasons]
        if self.call_language:
            lines += ["", f"{self.call_language.label}: {self.call_language.value}"]
        if self.facts:
            lines += ["", "Facts:"]
            for fact in self.facts:
                typed = f'  (typed: "{fact.typed}")' if fact.typed else ""
                lines.append(f"  {fact.label}: {fact.value}{typed}")
        if self.checklist:
            lines += ["", f"{self.checklist_label}:"]
            lines += [f"  [{'x' if c.checked else ' '}] {c.label}" for c in self.checklist]
        if self.own_words:
            lines += ["", "In the family's own words:"]
            lines += [f'  "{words}"' for words in self.own_words]
        if self.referrals:
            lines += ["", "Referrals (the family's card):"]
            lines += [f"  {text}" for text in self.referral_lines()]
        if self.media:
            lines += ["", "Files:"]
            lines += [f"  {file_line(url, linked)}" for url, linked in self.files()]
        return "\n".join(lines) + "\n"


def file_line(url: str, linked: bool) -> str:
    """A file in plain text; one not on Twilio's media hosts says so, to be read, not opened."""
    return url if linked else f"{url} (not a Twilio file address: do not open)"


def summarize(
    case: Case,
    *,
    flow: Flow,
    catalog: Catalog,
    reading: str,
    messages: list[Message] = (),  # type: ignore[assignment]
    today: dt.date | None = None,
    media_hosts: tuple[str, ...] = TWILIO_MEDIA_HOSTS,
    directory: Directory | None = None,
) -> Summary:
    """Build the summary of a case for an advocate who reads `reading` (a locale code)."""
    today = today or dt.date.today()
    reader = _Reader(flow, catalog, reading, case.language or "en", today)
    summary = Summary(
        ref=case.ref,
        kind=case.kind,
        status=case.status,
        urgent=case.urgent,
        language=case.language or "en",
        language_name=reader.language_name(case.language or "en"),
        channel=case.channel,
        created_at=case.created_at,
        reading=reading,
        media=list(case.media or []),
        media_hosts=tuple(media_hosts),
    )
    answers = dict(case.answers or {})
    details = _choice_details(flow)  # text questions a choice leads to: shown with that choice
    for name in flow.review:
        state = flow.states[name]
        if not state.save or name in details.values():
            continue
        if state.save not in answers:
            # Not asked yet: an urgent case reaches the advocates before the questions, and
            # fills in as the family answers. A skipped question is saved as None.
            continue
        value = answers.get(state.save)
        detail = flow.states.get(details.get((name, str(value)), ""))
        if state.urgent_if and value in state.urgent_if:
            summary.urgent_reasons.append(reader.fact(state, value, answers))
            if detail is not None and answers.get(detail.save or ""):
                why = reader.fact(detail, answers[detail.save], answers)
                summary.urgent_reasons.append(why)
            continue
        if state.save == URGENT:
            continue
        if state.expect == "multi" and state.save == CHECKLIST:
            summary.checklist_label = reader.label(state)
            summary.checklist = reader.checklist(state, value)
            continue
        fact = reader.fact(state, value, answers)
        if detail is not None and answers.get(detail.save or ""):
            fact.value = f"{fact.value}: {answers[detail.save]}"
        if state.save == CALL_LANGUAGE:
            summary.call_language = fact
        else:
            summary.facts.append(fact)
    if case.answers and summary.call_language is None:
        asked = next((q for q in flow.states.values() if q.save == CALL_LANGUAGE), None)
        label = reader.label(asked) if asked is not None else CALL_LANGUAGE
        summary.call_language = Fact(label, summary.language_name)
    summary.own_words = _own_words(messages, answers)
    if directory is not None and case.kind == "intake":
        # What the family's card holds, as it was sent to them.
        entries = matching(directory, answers, [summary.language, *catalog.codes])
        summary.referrals = fitting(catalog, summary.language, entries)
    return summary


def _choice_details(flow: Flow) -> dict[tuple[str, str], str]:
    """(question, choice) → the text question it leads to, like urgent → urgent_details."""
    return {
        parent: name
        for name, parent in flow.follow_ups.items()
        if flow.states[name].expect == "text"
    }


def _own_words(messages: list[Message], answers: dict) -> list[str]:
    """What the family wrote in sentences, before the case: often the whole story in a line."""
    said = {fold(str(v)) for v in answers.values() if isinstance(v, str)}
    words = []
    for message in messages:
        body = (message.body or "").strip()
        if message.direction != "in" or len(body.split()) < OWN_WORDS_MIN:
            continue
        if fold(body) not in said:
            words.append(body)
    return words[-5:]


class _Reader:
    """Labels and values in the advocate's language."""

    def __init__(self, flow: Flow, catalog: Catalog, reading: str, chat: str, today: dt.date):
        self.flow = flow
        self.catalog = catalog
        self.reading = reading
        self.chat = chat
        self.today = today
        self.babel = _babel(reading)

    def label(self, state: State) -> str:
        return self.catalog.render(state.label, self.reading) if state.label else state.name

    def choice_label(self, state: State, choice_id: str) -> str:
        try:
            choice = state.choice(choice_id)
        except KeyError:
            return str(choice_id)
        key = choice.label or choice.words
        return self.catalog.render(key, self.reading) if key else choice.id

    def language_name(self, code: str) -> str:
        if self.babel is not None:
            name = self.babel.languages.get(code.replace("-", "_")) or self.babel.languages.get(
                code.split("-")[0]
            )
            if name:
                return name
        locale = self.catalog.locales.get(code)
        return locale.name if locale else code

    def checklist(self, state: State, value: object) -> list[Check]:
        picked = set(value) if isinstance(value, list) else set()
        return [
            Check(self.choice_label(state, c.id), c.id in picked)
            for c in state.choices
            if c.id != "none"
        ]

    def fact(self, state: State, value: object, answers: dict) -> Fact:
        label = self.label(state)
        if value is None or value == "":
            return Fact(label, self.catalog.render("review.skipped", self.reading), skipped=True)
        expect = state.expect
        if expect == "date":
            return Fact(label, self.date(str(value)))
        if expect == "anumber":
            return Fact(label, format_a_number(str(value)))
        if expect == "phone":
            return Fact(label, format_phone(str(value)), link=f"tel:{value}")
        if expect in ("choice", "multi"):
            if state.save == CALL_LANGUAGE and value == SAME_AS_CHAT:
                return Fact(label, self.language_name(self.chat))
            values = value if isinstance(value, list) else [value]
            return Fact(label, ", ".join(self.choice_label(state, str(v)) for v in values))
        text = str(value)
        if state.save == COUNTRY:
            found = self.country(text)
            if found:
                code, name = found
                typed = None if fold(name) == fold(text) else text
                return Fact(label, f"{name} ({code})", typed=typed)
        return Fact(label, text)

    def date(self, iso: str) -> str:
        """'2026-11-27 · November 27, 2026 · 1 day ago' in the advocate's language."""
        try:
            day = dt.date.fromisoformat(iso)
        except ValueError:
            return iso
        parts = [day.isoformat()]
        locale = self.babel or Locale("en")
        parts.append(format_date(day, format="long", locale=locale))
        age = self.today - day
        if dt.timedelta(0) < age <= dt.timedelta(days=60):
            parts.append(
                format_timedelta(-age, granularity="day", add_direction=True, locale=locale)
            )
        return " · ".join(parts)

    def country(self, text: str) -> tuple[str, str] | None:
        """A typed country ('guatemala', 'México', 'El Salvador') → (code, name to show)."""
        folded = fold(text).strip(" .")
        codes = _countries(self.reading) | _countries(self.chat) | _countries("en")
        code = codes.get(folded)
        if code is None:
            return None
        names = (self.babel or Locale("en")).territories
        return code, names.get(code, code)
