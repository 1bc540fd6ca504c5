"""Counting what the live tables hold, by UTC day and language: numbers, never people.

Every number `hotline stats` shows is a sum of counts keyed (day, language, metric, detail).
This module reads them from the live tables; the purge folds the counts of what it erases into
`daily_count` first (`fold`), so a purge leaves the numbers as they were. No personal field
leaves this module: message bodies are read only to count their SMS segments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session

from ..conversation.flows import Flow
from ..conversation.sms import segment_info
from ..outbox.status import ERASE, FAILED
from ..storage.advocates import CaseEvent, DailyCount
from ..storage.clock import aware
from ..storage.models import Case, Conversation, Message, OutboxMessage

Key = tuple[str, str, str, str]  # day, language, metric, detail
SentRow = tuple[str, str, str, int]  # day, language, channel, SMS segments
SentId = tuple[str, int]  # ("message" or "outbox", the row's id)
# The steps from a first text to a closed case, in order.
FUNNEL = (
    "first_text", "language_chosen", "intake_started", "consent_given",
    "case_opened", "case_claimed", "case_closed",
)
# Handed to Twilio (a TwiML reply is sent by Twilio itself); Twilio does not bill "failed".
SENT = ("replied", "sent", "delivered", "read", "undelivered")
CONSENT_ANSWER = "consent"  # the flow's `save:` name of the consent question
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Intake:
    """Where the flow's intake lies: which resting states mean started, consented, stopped."""

    questions: tuple[str, ...]  # where a family can stop answering, in the order asked
    started: frozenset[str]
    consented: frozenset[str]

    @classmethod
    def of(cls, flow: Flow) -> Intake:
        consent = next(
            (s for s in flow.states.values() if s.save == CONSENT_ANSWER), None
        )
        if consent is None:
            return cls((), frozenset(), frozenset())
        after = [name for name in flow.review if name in flow.states]
        after += [flow.role(r) for r in ("review", "confirm") if r in flow.roles]
        declined = {c.next for c in consent.choices if c.effect == "forget" and c.next}
        return cls(
            questions=(consent.name, *after),
            started=frozenset({consent.name, *declined, *after}),
            consented=frozenset(after),
        )


@dataclass(frozen=True)
class Counting:
    """What counting needs of the running hotline: its flow's intake and its idle time."""

    intake: Intake
    idle: timedelta

    @classmethod
    def of(cls, engine: Any) -> Counting:
        """From the conversation engine (`hotline.engine`)."""
        return cls(Intake.of(engine.flow), engine.idle_after)

    def before_erasing(self, session: Session, now: datetime) -> Before:
        """Everything the live tables count now, read once before a purge."""
        window = self.all_of(now)
        return Before(
            counts=live_counts(session, self.intake, window, with_sent=False),
            sent=sent_rows(session, window),
        )

    def lost(self, session: Session, now: datetime, before: Before) -> tuple[Counter, Counter]:
        """(before, after) counts once the purge has erased rows: their difference was lost.

        Message bodies are read once, before: afterwards only which messages remain is asked.
        """
        window = self.all_of(now)
        after = live_counts(session, self.intake, window, with_sent=False)
        remaining = sent_ids(session, window)
        counts = Counter(before.counts)
        for sent_id, row in before.sent.items():
            if sent_id not in remaining:
                _add_sent(counts, row)
        return counts, after

    def all_of(self, now: datetime) -> Window:
        return Window(None, FAR_FUTURE, now, self.idle)


@dataclass(frozen=True)
class Before:
    """The counts before a purge, and each message sent with its segments."""

    counts: Counter[Key]
    sent: dict[SentId, SentRow]


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC; `now` decides which conversations have stopped answering."""

    start: datetime | None
    end: datetime
    now: datetime
    idle: timedelta

    def of(self, column):  # type: ignore[no-untyped-def]
        """A column's value falls in the window."""
        if self.start is None:
            return column < self.end
        return and_(column >= self.start, column < self.end)


def live_counts(
    session: Session, intake: Intake, window: Window, *, with_sent: bool = True
) -> Counter[Key]:
    """Every count the live tables give for the window."""
    counts: Counter[Key] = Counter()
    _conversations(session, intake, window, counts)
    _stopped(session, intake, window, counts)
    _cases(session, window, counts)
    _claims(session, window, counts)
    if with_sent:
        _sent(session, window, counts)
    _failures(session, window, counts)
    return counts


def folded_counts(session: Session, first_day: str, last_day: str) -> Counter[Key]:
    """What earlier purges kept of the erased rows, for these days."""
    rows = session.execute(
        select(DailyCount.day, DailyCount.language, DailyCount.metric, DailyCount.detail,
               DailyCount.count)
        .where(DailyCount.day >= first_day, DailyCount.day <= last_day)
    ).all()
    counts: Counter[Key] = Counter()
    for day, language, metric, detail, count in rows:
        counts[(day, language, metric, detail)] += count
    return counts


def fold(session: Session, before: Counter[Key], after: Counter[Key]) -> int:
    """Keep in `daily_count` what the live tables lost between two counts; returns rows touched."""
    touched = 0
    for key in sorted(set(before) | set(after)):
        lost = before.get(key, 0) - after.get(key, 0)
        if not lost:
            continue
        day, language, metric, detail = key
        row = session.execute(
            select(DailyCount).where(
                DailyCount.day == day, DailyCount.language == language,
                DailyCount.metric == metric, DailyCount.detail == detail,
            )
        ).scalar_one_or_none()
        if row is None:
            row = DailyCount(day=day, language=language, metric=metric, detail=detail, count=0)
        row.count += lost
        session.add(row)
        touched += 1
    session.flush()
    return touched


# --------------------------------------------------------------------------- the tables
def _day(value: object) -> str:
    """SQLite's date() gives text, PostgreSQL's a date: both become "2026-11-30"."""
    return str(value)[:10]


def _conversations(
    session: Session, intake: Intake, window: Window, counts: Counter[Key]
) -> None:
    """First texts and how far each conversation got, on the day of its first text."""
    has_intake_case = (
        exists().where(Case.conversation_id == Conversation.id, Case.kind == "intake")
    )
    rows = select(
        func.date(Conversation.created_at).label("day"),
        Conversation.locale.label("locale"),
        Conversation.state.label("state"),
        has_intake_case.label("finished"),
    ).where(window.of(Conversation.created_at)).subquery()
    grouped = session.execute(
        select(rows.c.day, rows.c.locale, rows.c.state, rows.c.finished, func.count())
        .group_by(rows.c.day, rows.c.locale, rows.c.state, rows.c.finished)
    ).all()
    for day, locale, state, finished, count in grouped:
        key = (_day(day), locale or "")
        counts[(*key, "first_text", "")] += count
        if locale:
            counts[(*key, "language_chosen", "")] += count
        if finished or state in intake.started:
            counts[(*key, "intake_started", "")] += count
        if finished or state in intake.consented:
            counts[(*key, "consent_given", "")] += count


def _stopped(session: Session, intake: Intake, window: Window, counts: Counter[Key]) -> None:
    """Conversations resting at an intake question, silent for longer than the idle time."""
    if not intake.questions:
        return
    last = func.coalesce(Conversation.last_active, Conversation.updated_at)
    rows = session.execute(
        select(func.date(last), Conversation.locale, Conversation.state, func.count())
        .where(
            Conversation.state.in_(intake.questions),
            last < window.now - window.idle,
            window.of(last),
        )
        .group_by(func.date(last), Conversation.locale, Conversation.state)
    ).all()
    for day, locale, state, count in rows:
        counts[(_day(day), locale or "", "stopped", state)] += count


def _cases(session: Session, window: Window, counts: Counter[Key]) -> None:
    for metric, column in (("case_opened", Case.created_at), ("case_closed", Case.closed_at)):
        rows = session.execute(
            select(func.date(column), Case.language, func.count())
            .where(column.is_not(None), window.of(column))
            .group_by(func.date(column), Case.language)
        ).all()
        for day, language, count in rows:
            counts[(_day(day), language or "", metric, "")] += count


def _claims(session: Session, window: Window, counts: Counter[Key]) -> None:
    """Each case's first claim, on the day of the claim, and how long the case waited."""
    first = (
        select(CaseEvent.case_id.label("case_id"), func.min(CaseEvent.at).label("at"))
        .where(CaseEvent.kind == "claimed", CaseEvent.at < window.end)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = session.execute(
        select(first.c.at, Case.created_at, Case.language, Case.urgent)
        .join(Case, Case.id == first.c.case_id)
        .where(window.of(first.c.at))
    ).all()
    for at, created, language, urgent in rows:
        claimed = aware(at)
        key = (claimed.date().isoformat(), language or "")
        counts[(*key, "case_claimed", "")] += 1
        waited = max(0, int((claimed - aware(created)).total_seconds()))
        counts[(*key, "claim_wait", f"{'urgent' if urgent else 'normal'}:{waited}")] += 1


def _sent(session: Session, window: Window, counts: Counter[Key]) -> None:
    for row in sent_rows(session, window).values():
        _add_sent(counts, row)


def _add_sent(counts: Counter[Key], row: SentRow) -> None:
    day, language, channel, segments = row
    counts[(day, language, "sent", channel)] += 1
    if channel == "sms":
        counts[(day, language, "segments", channel)] += segments


def _sent_queries(window: Window, *, bodies: bool) -> tuple[Any, Any]:
    """Messages handed to Twilio, by the family's language.

    Messages to families are in their transcript; notifications to advocates are only in
    the outbox, counted under the language of the case they are about.
    """
    to_families = (
        select(Message.id, Message.created_at, Conversation.locale, Message.channel,
               *([Message.body] if bodies else []))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.direction == "out", Message.status.in_(SENT),
               window.of(Message.created_at))
    )
    to_advocates = (
        select(OutboxMessage.id, OutboxMessage.created_at, Case.language, OutboxMessage.channel,
               *([OutboxMessage.body] if bodies else []))
        .join(Case, Case.id == OutboxMessage.case_id, isouter=True)
        .where(OutboxMessage.message_id.is_(None), OutboxMessage.kind != ERASE,
               OutboxMessage.status.in_(SENT), window.of(OutboxMessage.created_at))
    )
    return to_families, to_advocates


def sent_rows(session: Session, window: Window) -> dict[SentId, SentRow]:
    """Each message sent in the window, with its SMS segments (the body is read to count them)."""
    found: dict[SentId, SentRow] = {}
    measured: dict[str, int] = {}  # the same body twice is measured once
    for table, query in zip(("message", "outbox"), _sent_queries(window, bodies=True),
                            strict=True):
        for row_id, created, language, channel, body in session.execute(query):
            text = body or ""
            segments = measured.get(text)
            if segments is None:
                segments = measured[text] = segment_info(text).segments
            day = aware(created).date().isoformat()
            found[(table, row_id)] = (day, language or "", channel, segments)
    measured.clear()
    return found


def sent_ids(session: Session, window: Window) -> set[SentId]:
    """Which messages sent in the window are still stored (no body read)."""
    found: set[SentId] = set()
    for table, query in zip(("message", "outbox"), _sent_queries(window, bodies=False),
                            strict=True):
        found.update((table, row[0]) for row in session.execute(query))
    return found


def _failures(session: Session, window: Window, counts: Counter[Key]) -> None:
    """Messages that did not reach their recipient, by Twilio's error code."""
    language = func.coalesce(Conversation.locale, Case.language, "")
    rows = session.execute(
        select(func.date(OutboxMessage.created_at), language, OutboxMessage.error_code,
               func.count())
        .join(Conversation, Conversation.id == OutboxMessage.conversation_id, isouter=True)
        .join(Case, Case.id == OutboxMessage.case_id, isouter=True)
        .where(OutboxMessage.kind != ERASE, OutboxMessage.status.in_(FAILED),
               window.of(OutboxMessage.created_at))
        .group_by(func.date(OutboxMessage.created_at), language, OutboxMessage.error_code)
    ).all()
    for day, lang, code, count in rows:
        counts[(_day(day), lang or "", "failed", str(code) if code else "")] += count


__all__ = [
    "FUNNEL", "Counting", "Intake", "Key", "Window", "fold", "folded_counts", "live_counts",
]
