"""Retention: erase closed cases and idle conversations older than HOTLINE_RETENTION_DAYS.

What stays is a count per month, language, channel and urgency (`retention_count`): enough to
report how many families the hotline helped, nothing about any of them. Open cases are never
purged, however old.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, false, func, or_, update
from sqlmodel import Session, select

from .. import erasure
from ..erasure import erase_contact, erase_message_rows
from ..outbox import erase_at_twilio, twilio_sids
from ..storage.advocates import (
    AdvocateCommand,
    CaseEvent,
    CaseNote,
    Dispatch,
    Handoff,
    LoginAttempt,
    RetentionCount,
)
from ..storage.hearings import Hearing
from ..storage.models import OPEN, Case, Contact, Conversation, Message, OutboxMessage
from .counts import Counting, fold
from .transcript import case_messages

log = logging.getLogger(__name__)
LOGIN_ATTEMPTS_KEPT = timedelta(days=1)


@dataclass
class Purged:
    cases: int = 0
    conversations: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"cases": self.cases, "conversations": self.conversations, "messages": self.messages}


def purge(
    session: Session, now: datetime, retention: timedelta, counting: Counting | None = None
) -> Purged:
    """Erase what is older than the retention period; count it anonymously first.

    With `counting`, what the erasure takes out of `hotline stats` is kept in `daily_count`.
    """
    before = counting.before_erasing(session, now) if counting else None
    done = _erase_old(session, now, now - retention)
    if counting and before is not None:
        fold(session, *counting.lost(session, now, before))
    log.info(
        "purge cases=%d conversations=%d messages=%d",
        done.cases, done.conversations, done.messages,
    )
    return done


def _erase_old(session: Session, now: datetime, cutoff: datetime) -> Purged:
    done = Purged()
    # 1. Conversations nobody has written in since the cutoff and with no case still needed:
    #    everything about the number goes, as if the family had texted DELETE.
    recent_case = exists().where(
        Case.conversation_id == Conversation.id,
        or_(Case.status.in_(OPEN), Case.closed_at >= cutoff),
    )
    idle = session.exec(
        select(Conversation).where(
            func.coalesce(Conversation.last_active, Conversation.updated_at) < cutoff,
            ~recent_case,
        )
    ).all()
    for conversation in idle:
        for case in session.exec(select(Case).where(Case.conversation_id == conversation.id)):
            _count(session, "case", case.created_at, case.language, case.channel, case.urgent)
            done.cases += 1
        _count(session, "conversation", conversation.created_at, conversation.locale or "",
               conversation.channel, False)
        done.conversations += 1
        contact = session.get(Contact, conversation.contact_id)
        if contact is not None:
            erase_contact(session, contact)
    # 2. Closed cases past the cutoff in conversations that are still going.
    old_cases = session.exec(
        select(Case).where(Case.status == "closed", Case.closed_at < cutoff)
    ).all()
    if old_cases:
        for case in old_cases:
            _count(session, "case", case.created_at, case.language, case.channel, case.urgent)
        done.cases += len(old_cases)
        done.messages += erase_cases(session, [case.id for case in old_cases if case.id])
    # 3. Old messages of conversations that are still going, unless a case still needs them.
    open_case = exists().where(
        Case.conversation_id == Message.conversation_id, Case.status.in_(OPEN)
    )
    old = select(Message.id).where(Message.created_at < cutoff, ~open_case)
    old_ids = list(session.exec(old).all())
    if old_ids:
        erase_messages(session, old_ids)
        done.messages += len(old_ids)
    # 4. Bookkeeping that has served its purpose.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPTS_KEPT))
    session.execute(delete(AdvocateCommand).where(AdvocateCommand.created_at < cutoff))
    session.execute(
        delete(Dispatch).where(
            and_(Dispatch.status.in_(("sent", "failed")), Dispatch.created_at < cutoff)
        )
    )
    session.flush()
    return done


def erase_messages(session: Session, message_ids: list[int]) -> None:
    """Delete messages, what was queued for them, and Twilio's copies."""
    if not message_ids:
        return
    session.execute(
        update(Message).where(Message.in_reply_to.in_(message_ids)).values(in_reply_to=None)
    )
    queued = OutboxMessage.message_id.in_(message_ids)
    sids = twilio_sids(session, Message.id.in_(message_ids), queued)
    session.execute(delete(OutboxMessage).where(queued))
    erase_message_rows(session, message_ids)
    session.execute(delete(Message).where(Message.id.in_(message_ids)))
    erase_at_twilio(session, sids)


def erase_cases(session: Session, case_ids: list[int]) -> int:
    """Delete closed cases, their messages (even if the family has a case open now), and every
    row that refers to them; returns how many messages went."""
    if not case_ids:
        return 0
    cases = session.exec(select(Case).where(Case.id.in_(case_ids))).all()
    message_ids = [
        message.id for case in cases if case.status == "closed"
        for message in case_messages(session, case) if message.id is not None
    ]
    erase_messages(session, message_ids)
    _erase_case_rows(session, case_ids)
    about = OutboxMessage.case_id.in_(case_ids)
    sids = twilio_sids(session, false(), about)
    session.execute(delete(OutboxMessage).where(about))
    session.execute(delete(Case).where(Case.id.in_(case_ids)))
    erase_at_twilio(session, sids)
    return len(message_ids)


def erase_conversations(session: Session, conversation_ids: list[int]) -> None:
    """The erase hook: DELETE from a family removes notes, timeline, handoff of their cases.

    Audit entries stay: they hold a case reference and an advocate id, nothing personal.
    """
    case_ids = list(erasure.run(session, _CASES_OF, conversation_ids).scalars())
    if case_ids:
        _erase_case_rows(session, case_ids)


_CASES_OF = select(Case.id).where(Case.conversation_id.in_(erasure.ids()))


def _erase_case_rows(session: Session, case_ids: list[int]) -> None:
    for table in (CaseNote, CaseEvent, Dispatch, Handoff, AdvocateCommand, Hearing):
        session.execute(delete(table).where(table.case_id.in_(case_ids)))  # type: ignore[attr-defined]


def _count(
    session: Session, what: str, created: datetime, language: str, channel: str, urgent: bool
) -> None:
    period = created.strftime("%Y-%m")
    row = session.exec(
        select(RetentionCount).where(
            RetentionCount.period == period,
            RetentionCount.what == what,
            RetentionCount.language == (language or ""),
            RetentionCount.channel == (channel or ""),
            RetentionCount.urgent == urgent,
        )
    ).first()
    if row is None:
        row = RetentionCount(
            period=period, what=what, language=language or "", channel=channel or "",
            urgent=urgent, count=0,
        )
    row.count += 1
    session.add(row)
    session.flush()


def counts(session: Session) -> list[RetentionCount]:
    return list(
        session.exec(
            select(RetentionCount).order_by(RetentionCount.period, RetentionCount.what)
        ).all()
    )
