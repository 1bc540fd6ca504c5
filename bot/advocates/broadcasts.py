"""Broadcasts: an admin's news to the families who asked for it (see bot/alerts.py).

Recipients are queued through the outbox a batch at a time, and the next batch only once the
last one has mostly gone: a broadcast to thousands never waits in one web request, and an
advocate's reply or a case notification never queues behind thousands of news messages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ..conversation.sms import segment_info
from ..outbox import enqueue
from ..outbox.status import FAILED, OUTBOX, TRANSCRIPT
from ..storage.alerts import AlertSubscription, Broadcast, BroadcastDelivery
from ..storage.clock import aware
from ..storage.db import is_postgres, transaction
from ..storage.models import Contact, Conversation

log = logging.getLogger(__name__)
KIND = "broadcast"  # the outbox rows' kind
BATCH = 50  # recipients queued at once; the next batch waits until fewer than this are left
PASSES = 20  # batches one look may queue, while the earlier ones left fewer than BATCH waiting
WINDOW = timedelta(hours=24)  # WhatsApp: free-form messages only this long after the last text
MAX_TEXT = 1600  # Twilio's limit for one message
REGION = re.compile(r"\d{1,3}")
SENT = ("sent", "delivered", "read", "console")
CANCELLED = "cancelled"
# A subscriber's language: the one the conversation uses now (a family may switch), else the
# one they subscribed in.
LANGUAGE = func.coalesce(Conversation.locale, AlertSubscription.language)


class BroadcastError(ValueError):
    """What an admin typed cannot be sent as it is; the message says what to change."""


# --------------------------------------------------------------------------- the form
def parse_regions(text: str) -> list[str]:
    """ "770, 11" → ["770", "11"]: ZIP prefixes of 1 to 3 digits; empty means everywhere."""
    regions = [part for part in re.split(r"[\s,;]+", text or "") if part]
    bad = [part for part in regions if not REGION.fullmatch(part)]
    if bad:
        raise BroadcastError(
            f"Regions are ZIP code prefixes of 1 to 3 digits, like 770 or 11 (not {bad[0]!r}): "
            "the hotline keeps only the first three digits of a family's ZIP code."
        )
    return list(dict.fromkeys(regions))


def clean_texts(texts: dict[str, str], languages: Iterable[str]) -> dict[str, str]:
    """The texts of the chosen languages, each one message Twilio will take."""
    chosen = {code: (texts.get(code) or "").strip() for code in languages}
    empty = [code for code, text in chosen.items() if not text]
    if not chosen:
        raise BroadcastError("Choose at least one language and write its text.")
    if empty:
        raise BroadcastError(f"Write the text for each chosen language ({', '.join(empty)}).")
    long = [code for code, text in chosen.items() if len(text) > MAX_TEXT]
    if long:
        raise BroadcastError(f"A text is longer than {MAX_TEXT} characters ({', '.join(long)}).")
    return chosen


# --------------------------------------------------------------------------- the audience
@dataclass(frozen=True)
class Subscriber:
    """One subscription as a broadcast sees it (the number only when it is being queued)."""

    id: int
    conversation_id: int
    language: str
    channel: str
    region: str | None
    opted_out: bool
    last_active: datetime | None


def in_regions(region: str | None, regions: list[str]) -> bool:
    """No region chosen: everyone. Otherwise only subscribers whose ZIP prefix matches one."""
    return not regions or (region is not None and any(region.startswith(p) for p in regions))


def subscribers(
    session: Session, languages: Iterable[str], regions: list[str], *, after: int = 0,
    limit: int | None = None,
) -> Iterator[Subscriber]:
    """Subscribers in these languages and regions, by subscription id, from `after` on."""
    query = (
        select(AlertSubscription, LANGUAGE, Contact.opted_out, Conversation.last_active)
        .select_from(AlertSubscription)
        .join(Conversation, Conversation.id == AlertSubscription.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(LANGUAGE.in_(list(languages)), AlertSubscription.id > after)
        .order_by(AlertSubscription.id)
    )
    if limit is not None:
        query = query.limit(limit)
    for sub, language, opted_out, last_active in session.exec(query):
        yield Subscriber(sub.id, sub.conversation_id, language, sub.channel, sub.region,
                         bool(opted_out), last_active)  # type: ignore[arg-type]


def subscriber_languages(session: Session) -> list[str]:
    """Languages with at least one subscriber, the most subscribers first."""
    rows = session.exec(
        select(LANGUAGE, func.count())
        .select_from(AlertSubscription)
        .join(Conversation, Conversation.id == AlertSubscription.conversation_id)
        .group_by(LANGUAGE)
        .order_by(func.count().desc(), LANGUAGE)
    ).all()
    return [language for language, _ in rows]


@dataclass
class LanguageCost:
    """What one language's text costs: its encoding and segments, times who gets it."""

    code: str
    text: str
    length: int = 0
    encoding: str = "GSM-7"
    segments: int = 0
    sms: int = 0
    whatsapp: int = 0

    @property
    def sms_segments(self) -> int:
        return self.sms * self.segments


@dataclass
class Estimate:
    """The audience and cost of a broadcast before it is sent."""

    languages: list[LanguageCost] = field(default_factory=list)
    stopped: int = 0  # subscribers who texted STOP since: skipped
    price: float = 0.0  # per SMS segment (HOTLINE_SMS_SEGMENT_PRICE)

    @property
    def people(self) -> int:
        return sum(lang.sms + lang.whatsapp for lang in self.languages)

    @property
    def sms_segments(self) -> int:
        return sum(lang.sms_segments for lang in self.languages)

    @property
    def whatsapp_messages(self) -> int:
        return sum(lang.whatsapp for lang in self.languages)

    @property
    def cost(self) -> float:
        return round(self.sms_segments * self.price, 2)


def estimate(
    session: Session, texts: dict[str, str], regions: list[str], price: float = 0.0
) -> Estimate:
    """Who would get these texts now, and how many SMS segments that is per language."""
    costs = {code: _cost(code, text) for code, text in texts.items()}
    result = Estimate(languages=list(costs.values()), price=price)
    for sub in subscribers(session, texts, regions):
        if not in_regions(sub.region, regions):
            continue
        if sub.opted_out:
            result.stopped += 1
        elif sub.channel == "whatsapp":
            costs[sub.language].whatsapp += 1
        else:
            costs[sub.language].sms += 1
    return result


def _cost(code: str, text: str) -> LanguageCost:
    info = segment_info(text)  # the calculator `hotline locales check` uses
    return LanguageCost(code, text, info.length, info.encoding, info.segments)


# --------------------------------------------------------------------------- sending
def create(
    session: Session, *, advocate_id: int, texts: dict[str, str], regions: list[str],
    audience: int, now: datetime,
) -> Broadcast:
    """Record a broadcast; its recipients are queued by `queue_batch`."""
    broadcast = Broadcast(
        advocate_id=advocate_id, created_at=now, texts=dict(texts), languages=list(texts),
        regions=list(regions), audience=audience,
    )
    session.add(broadcast)
    session.flush()
    log.info("broadcast created broadcast=%s languages=%s", broadcast.id, ",".join(texts))
    return broadcast


def queue_batch(
    session: Session, broadcast: Broadcast, *, now: datetime, template_sid: str = "",
    limit: int = BATCH,
) -> int:
    """Queue the next recipients of a broadcast; how many were looked at."""
    batch = list(subscribers(session, broadcast.languages, broadcast.regions,
                             after=broadcast.cursor, limit=limit))
    for sub in batch:
        broadcast.cursor = sub.id
        if not in_regions(sub.region, broadcast.regions):
            continue
        if sub.opted_out:
            broadcast.skipped_opted_out += 1
            continue
        outside = sub.channel == "whatsapp" and (
            sub.last_active is None or now - aware(sub.last_active) >= WINDOW
        )
        if outside and not template_sid:
            broadcast.skipped_window += 1
            continue
        phone = phone_of(session, sub.conversation_id)
        if phone is None:
            continue
        to = f"whatsapp:{phone}" if sub.channel == "whatsapp" else phone
        row = enqueue(session, to=to, kind=KIND, body=broadcast.texts[sub.language],
                      conversation_id=sub.conversation_id,
                      content_sid=template_sid if outside else None)
        if outside:
            row.template_fallback = True  # the worker sends the approved template
            session.add(row)
            broadcast.templated += 1
        session.add(BroadcastDelivery(broadcast_id=broadcast.id, outbox_id=row.id,  # type: ignore[arg-type]
                                      conversation_id=sub.conversation_id))
        broadcast.queued += 1
    if len(batch) < limit:
        broadcast.status = "queued"
        broadcast.finished_at = now
    session.add(broadcast)
    session.flush()
    return len(batch)


def phone_of(session: Session, conversation_id: int) -> str | None:
    """A recipient's number, read (and decrypted) only as its message is queued."""
    return session.exec(
        select(Contact.phone)
        .join(Conversation, Conversation.contact_id == Contact.id)
        .where(Conversation.id == conversation_id)
    ).first()


def waiting(session: Session, broadcast_id: int) -> int:
    """How many of a broadcast's messages are still waiting in the outbox."""
    return session.exec(
        select(func.count())
        .select_from(BroadcastDelivery)
        .join(OUTBOX, OUTBOX.c.id == BroadcastDelivery.outbox_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id,
               OUTBOX.c.status.in_(("pending", "sending")))
    ).one()


def advance(db: Engine, now: datetime, *, template_sid: str = "", batch: int = BATCH) -> int:
    """The periodic job: queue the next batch of each broadcast whose last batch has gone."""
    with transaction(db) as session:
        ids = list(session.exec(select(Broadcast.id).where(Broadcast.status == "sending")))
    queued = 0
    for broadcast_id in ids:
        with transaction(db) as session:
            query = select(Broadcast).where(Broadcast.id == broadcast_id)
            if is_postgres(db):
                query = query.with_for_update(skip_locked=True)  # one worker per broadcast
            broadcast = session.exec(query).first()
            if broadcast is None or broadcast.status != "sending":
                continue
            before = broadcast.queued
            for _ in range(PASSES):  # a batch that queued few (other regions) is not a wait
                if broadcast.status != "sending" or waiting(session, broadcast_id) >= batch:
                    break
                queue_batch(session, broadcast, now=now, template_sid=template_sid, limit=batch)
            queued += broadcast.queued - before
    return queued


def stop(session: Session, broadcast: Broadcast, *, advocate_id: int, now: datetime) -> int:
    """Stop a broadcast: nobody more is queued, and what is still waiting is cancelled."""
    rows = select(BroadcastDelivery.outbox_id).where(
        BroadcastDelivery.broadcast_id == broadcast.id
    )
    waiting_rows = (OUTBOX.c.id.in_(rows)) & (OUTBOX.c.status == "pending")
    message_ids = [m for m in session.exec(select(OUTBOX.c.message_id).where(waiting_rows)) if m]
    cancelled = session.execute(
        update(OUTBOX).where(waiting_rows).values(status=CANCELLED, updated_at=now)
    ).rowcount
    if message_ids:
        session.execute(
            update(TRANSCRIPT).where(TRANSCRIPT.c.id.in_(message_ids))
            .values(status=CANCELLED, updated_at=now)
        )
    broadcast.status = "stopped"
    broadcast.stopped_at = now
    broadcast.stopped_by = advocate_id
    broadcast.cancelled += cancelled
    session.add(broadcast)
    log.info("broadcast stopped broadcast=%s cancelled=%d", broadcast.id, cancelled)
    return cancelled


def progress(session: Session, broadcast_id: int) -> dict[str, int]:
    """How far a broadcast went: waiting, sent, failed and cancelled messages."""
    counts: Counter[str] = Counter()
    rows = session.exec(
        select(OUTBOX.c.status, func.count())
        .select_from(BroadcastDelivery)
        .join(OUTBOX, OUTBOX.c.id == BroadcastDelivery.outbox_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(OUTBOX.c.status)
    ).all()
    for status, count in rows:
        if status in SENT:
            counts["sent"] += count
        elif status in FAILED:
            counts["failed"] += count
        elif status == CANCELLED:
            counts["cancelled"] += count
        else:
            counts["waiting"] += count
    return {name: counts[name] for name in ("waiting", "sent", "failed", "cancelled")}


def recent(session: Session, limit: int = 50) -> list[Broadcast]:
    return list(session.exec(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


def as_dict(broadcast: Broadcast, counts: dict[str, int]) -> dict[str, Any]:
    """A broadcast's record for a page: counts only, never a number."""
    if broadcast.status == "stopped":
        stage = "stopped"
    elif broadcast.status == "sending" or counts["waiting"]:
        stage = "sending"
    else:
        stage = "done"
    return {
        "id": broadcast.id, "status": broadcast.status, "stage": stage,
        "created_at": broadcast.created_at,
        "languages": broadcast.languages, "regions": broadcast.regions,
        "audience": broadcast.audience, "queued": broadcast.queued,
        "templated": broadcast.templated, "skipped_opted_out": broadcast.skipped_opted_out,
        "skipped_window": broadcast.skipped_window, **counts,
    }
