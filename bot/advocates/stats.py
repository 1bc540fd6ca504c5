"""Numbers for organizers: the funnel, where families stop, time to claim, SMS cost, failures.

Sums of the counts in counts.py (the live tables plus what purges kept) over the last N UTC
days, shaped for the inbox page, its charts and `hotline stats --json`. Only counts.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from ..outbox.status import reason_for
from .counts import FUNNEL, Counting, Key, Window, folded_counts, live_counts
from .desk import Desk

MAX_DAYS = 366
URGENCIES = ("urgent", "normal")


def days_range(now: datetime, days: int) -> tuple[date, date]:
    """The last `days` UTC days, today included."""
    last = now.astimezone(UTC).date()
    return last - timedelta(days=days - 1), last


def report(session: Session, desk: Desk, days: int = 30) -> dict[str, Any]:
    """Everything the stats page and `hotline stats --json` show, for the last `days` days."""
    days = max(1, min(int(days), MAX_DAYS))
    now = desk.now()
    first, last = days_range(now, days)
    counting = Counting.of(desk.hotline.engine)
    window = Window(
        start=datetime.combine(first, time(), UTC),
        end=datetime.combine(last + timedelta(days=1), time(), UTC),
        now=now,
        idle=counting.idle,
    )
    counts = live_counts(session, counting.intake, window)
    counts.update(folded_counts(session, first.isoformat(), last.isoformat()))
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": days,
        "funnel": _funnel(counts, first, last),
        "stopped": _stopped(counts, counting.intake.questions, desk),
        "time_to_claim": _time_to_claim(counts, desk),
        "messages": _messages(counts, desk.segment_price),
        "failures": _failures(counts),
    }


def _by(counts: Counter[Key], metric: str) -> dict[tuple[str, str, str], int]:
    """(day, language, detail) → count, for one metric."""
    return {(d, lang, detail): n for (d, lang, m, detail), n in counts.items() if m == metric and n}


def _funnel(counts: Counter[Key], first: date, last: date) -> dict[str, Any]:
    by_day: dict[str, Counter[str]] = {
        (first + timedelta(days=i)).isoformat(): Counter()
        for i in range((last - first).days + 1)
    }
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for (day, language, metric, _detail), n in counts.items():
        if metric in FUNNEL and n:
            by_day.setdefault(day, Counter())[metric] += n
            by_language[language][metric] += n
            totals[metric] += n
    return {
        "steps": list(FUNNEL),
        "totals": {metric: totals[metric] for metric in FUNNEL},
        "by_day": [
            {"day": day, **{metric: row[metric] for metric in FUNNEL}}
            for day, row in sorted(by_day.items())
        ],
        "by_language": [
            {"language": language, **{metric: row[metric] for metric in FUNNEL}}
            for language, row in sorted(
                by_language.items(), key=lambda item: (-item[1]["first_text"], item[0])
            )
        ],
    }


def _stopped(counts: Counter[Key], questions: tuple[str, ...], desk: Desk) -> list[dict]:
    """Conversations resting at each intake question, in the order the questions are asked."""
    per_question: dict[str, Counter[str]] = defaultdict(Counter)
    for (_day, language, question), n in _by(counts, "stopped").items():
        per_question[question][language] += n
    return [
        {
            "question": question,
            "label": _label(desk, question),
            "count": sum(per_question[question].values()),
            "by_language": dict(sorted(per_question[question].items())),
        }
        for question in questions
    ]


def _label(desk: Desk, question: str) -> str:
    """The question's label as advocates read it in the summary (English)."""
    state = desk.hotline.engine.flow.states.get(question)
    key = state.label if state and state.label else None
    catalog = desk.hotline.catalog
    if key and catalog.has(key):
        return catalog.text(key, "en")
    return question.replace("_", " ").capitalize()


def _time_to_claim(counts: Counter[Key], desk: Desk) -> list[dict]:
    """Median and 90th percentile of the wait before a first claim, against the escalation."""
    waits: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (_day, language, detail), n in _by(counts, "claim_wait").items():
        urgency, _, seconds = detail.partition(":")
        for group in ((urgency, ""), (urgency, language)):
            waits[group].extend([int(seconds)] * n)
    escalation = {
        "urgent": desk.escalate_urgent_after.total_seconds() / 60,
        "normal": desk.escalate_after.total_seconds() / 60,
    }
    rows = []
    for urgency, language in sorted(waits, key=lambda g: (URGENCIES.index(g[0]), g[1])):
        found = sorted(waits[(urgency, language)])
        limit = escalation.get(urgency, escalation["normal"])
        rows.append({
            "urgency": urgency,
            "language": language,  # "" for every language together
            "claimed": len(found),
            "median_minutes": _minutes(statistics.median(found)),
            "p90_minutes": _minutes(found[math.ceil(0.9 * len(found)) - 1]),
            "escalation_minutes": limit,
            "within_escalation": sum(1 for s in found if s <= limit * 60),
        })
    return rows


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _messages(counts: Counter[Key], price: float) -> dict[str, Any]:
    """Messages handed to Twilio and SMS segments per language, with the estimated cost."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for metric in ("sent", "segments"):
        for (_day, language, channel), n in _by(counts, metric).items():
            row = rows.setdefault(
                (language, channel),
                {"language": language, "channel": channel, "messages": 0, "segments": 0},
            )
            row["messages" if metric == "sent" else "segments"] += n
    listed = sorted(rows.values(), key=lambda r: (-r["messages"], r["language"], r["channel"]))
    for row in listed:
        row["cost"] = round(row["segments"] * price, 2)
    return {
        "segment_price": price,
        "currency": "USD",
        "rows": listed,
        "messages": sum(r["messages"] for r in listed),
        "segments": sum(r["segments"] for r in listed),
        "cost": round(sum(r["segments"] for r in listed) * price, 2),
    }


def _failures(counts: Counter[Key]) -> list[dict]:
    """Messages that did not reach their recipient, by Twilio's error code."""
    per_code: Counter[str] = Counter()
    for (_day, _language, code), n in _by(counts, "failed").items():
        per_code[code] += n
    return [
        {
            "code": int(code) if code else None,
            "reason": reason_for(int(code) if code else None),
            "count": n,
        }
        for code, n in sorted(per_code.items(), key=lambda item: (-item[1], item[0]))
    ]
