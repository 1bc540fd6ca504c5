"""Handoff: tell the right advocates about a case, and widen the circle while nobody claims it.

The ladder, one step per escalation interval (HOTLINE_ESCALATE_MINUTES, or
HOTLINE_ESCALATE_URGENT_MINUTES for urgent cases), each step skipped when it reaches nobody:

1. language  the on-call advocates who speak the case's language;
2. on_call   the other on-call advocates;
3. everyone  everyone on call again, as a reminder;
4. admins    every active admin, on call or not.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, select

from .. import outbox
from ..storage import tallies
from ..storage.advocates import Advocate, Handoff
from ..storage.clock import aware
from ..storage.models import Case
from . import dispatch, roster, texts
from .desk import Desk
from .timeline import add_event

log = logging.getLogger(__name__)

LADDER = ("language", "on_call", "everyone", "admins")
RELAY_NOTICE_EVERY = timedelta(minutes=5)  # one "new message" SMS per burst of family texts


class Listener:
    """Subscribed to Hotline.case_listeners: acts on cases opened, updated and relayed."""

    def __init__(self, desk: Desk):
        self.desk = desk

    def __call__(self, session: Session, case: Case, event: str) -> None:
        now = self.desk.now()
        if event == "opened":
            open_handoff(session, self.desk, case, now)
        elif event == "updated":
            case_updated(session, self.desk, case, now)
        elif event == "relay":
            relay(session, self.desk, case, now)


def handoff_of(session: Session, case: Case, now: datetime) -> Handoff:
    """The case's handoff row, made on the spot for a case opened before advocates existed."""
    found = session.exec(select(Handoff).where(Handoff.case_id == case.id)).first()
    if found is None:
        found = Handoff(case_id=case.id, created_at=now, updated_at=now)
        session.add(found)
        session.flush()
    return found


def open_handoff(session: Session, desk: Desk, case: Case, now: datetime) -> Handoff:
    """A new case: write its timeline's first line and tell the first advocates."""
    handoff = handoff_of(session, case, now)
    add_event(session, case, "opened", now, kind=case.kind, urgent=case.urgent)
    dispatch.queue(session, desk, kind="webhook", event="opened", case=case)
    escalate(session, desk, case, handoff, now)
    return handoff


def case_updated(session: Session, desk: Desk, case: Case, now: datetime) -> None:
    """AGENT first, intake later: the same case, perhaps now urgent; its holder is told."""
    handoff = handoff_of(session, case, now)
    add_event(session, case, "updated", now, kind=case.kind, urgent=case.urgent)
    if handoff.holder_id is None and handoff.escalate_at is not None:
        sooner = now + desk.interval(case)
        if sooner < aware(handoff.escalate_at):
            handoff.escalate_at = sooner
    elif handoff.holder_id is not None:
        holder = session.get(Advocate, handoff.holder_id)
        if holder is not None and holder.active:
            _sms(session, holder, case, texts.case_updated(case.ref, desk.link(case.ref)))
    handoff.updated_at = now
    session.add(handoff)


def relay(session: Session, desk: Desk, case: Case, now: datetime) -> None:
    """The family wrote while an advocate holds the case: the holder gets a link, not the text."""
    handoff = handoff_of(session, case, now)
    if handoff.holder_id is None:
        log.warning("relay without a holder case=%s", case.id)
        return
    last = handoff.relay_noticed_at
    if last is not None and now - aware(last) < RELAY_NOTICE_EVERY:
        return
    holder = session.get(Advocate, handoff.holder_id)
    if holder is None or not holder.active:
        return
    _sms(session, holder, case, texts.new_message(case.ref, desk.link(case.ref)))
    handoff.relay_noticed_at = now
    handoff.updated_at = now
    session.add(handoff)
    log.info("relay notice case=%s advocate=%s", case.id, holder.id)


def restart(session: Session, desk: Desk, case: Case, handoff: Handoff, now: datetime) -> None:
    """A released case goes back to the queue: the ladder starts again from the first step."""
    handoff.step = -1
    handoff.notified = []
    escalate(session, desk, case, handoff, now, released=True)


def escalate(
    session: Session,
    desk: Desk,
    case: Case,
    handoff: Handoff,
    now: datetime,
    *,
    released: bool = False,
) -> list[Advocate]:
    """Take the next step of the ladder that reaches someone; schedule the one after it."""
    first = handoff.step < 0
    reached: list[Advocate] = []
    step = ""
    while handoff.step + 1 < len(LADDER) and not reached:
        handoff.step += 1
        step = LADDER[handoff.step]
        reached = recipients(session, desk, case, handoff, step, now)
    if not reached:
        # Nobody at all could be told: say so on the timeline and try the ladder again later.
        add_event(session, case, "unreached", now)
        handoff.step = -1
        handoff.escalate_at = now + desk.interval(case)
        log.warning("no advocate to notify case=%s", case.id)
    else:
        minutes = round((now - aware(handoff.created_at)).total_seconds() / 60)
        for advocate in reached:
            _sms(session, advocate, case, _text(desk, case, first, released, minutes))
            if desk.smtp_url and advocate.email:
                dispatch.queue(
                    session, desk, kind="email", event="opened" if first else "escalated",
                    case=case, advocate_id=advocate.id, step=step,
                )
        ids = [a.id for a in reached if a.id is not None]
        handoff.notified = sorted({*handoff.notified, *ids})
        kind = "released" if released else ("notified" if first else "escalated")
        add_event(session, case, kind, now, step=step, advocates=ids)
        if not first:
            dispatch.queue(session, desk, kind="webhook", event="escalated", case=case, step=step)
            tallies.add(session, tallies.ESCALATIONS, step)  # operators' metrics
        last_step = handoff.step == len(LADDER) - 1
        handoff.escalate_at = None if last_step else now + desk.interval(case)
        log.info("case=%s step=%s advocates=%d", case.id, step, len(ids))
    handoff.updated_at = now
    session.add(handoff)
    return reached


def recipients(
    session: Session, desk: Desk, case: Case, handoff: Handoff, step: str, now: datetime
) -> list[Advocate]:
    """Who one step of the ladder reaches at this moment."""
    if step == "admins":
        return [a for a in roster.active_advocates(session) if a.is_admin]
    available = roster.on_call(session, desk.local(now))
    if step == "language":
        return [a for a in available if roster.speaks(a, case.language)]
    if step == "on_call":
        return [a for a in available if a.id not in handoff.notified]
    return available  # "everyone": a reminder to all on call, told before or not


def escalate_due(session: Session, desk: Desk, now: datetime) -> int:
    """Escalate every unclaimed case whose time is up; returns how many moved a step."""
    query = (
        select(Handoff, Case)
        .join(Case, Case.id == Handoff.case_id)
        .where(
            Handoff.escalate_at.is_not(None),
            Handoff.escalate_at <= now,
            Handoff.holder_id.is_(None),
            Case.status == "new",
        )
        .order_by(Case.urgent.desc(), Handoff.escalate_at)
        # Several workers share the work on PostgreSQL; SQLite has one writer anyway.
        .with_for_update(skip_locked=True, of=Handoff)
    )
    moved = 0
    for handoff, case in session.exec(query).all():
        escalate(session, desk, case, handoff, now)
        moved += 1
    return moved


def _text(desk: Desk, case: Case, first: bool, released: bool, minutes: int) -> str:
    link = desk.link(case.ref)
    language = desk.language_name(case.language)
    if released:
        return texts.released(case.ref, language, case.language, case.urgent, link)
    if first:
        return texts.new_case(case.ref, language, case.language, case.urgent, link)
    return texts.still_waiting(case.ref, language, case.language, case.urgent, minutes, link)


def _sms(session: Session, advocate: Advocate, case: Case, body: str) -> None:
    outbox.enqueue(session, to=advocate.phone, kind="notify", body=body, case_id=case.id)
