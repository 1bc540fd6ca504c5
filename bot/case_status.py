"""STATUS: where a family's case stands, told to the number that opened it and nobody else.

A conversation belongs to one number, so the cases found through it are that number's own;
any other number hears that there is no case for it, which says nothing about anyone else.
"""

from __future__ import annotations

from sqlmodel import Session, select

from .conversation.snapshot import Effect, Reply, StepResult
from .hearings.book import hearing_params
from .outbox import SCHEDULED
from .storage.advocates import Advocate, Handoff
from .storage.clock import utcnow
from .storage.hearings import HearingDetails, upcoming
from .storage.models import Case, Conversation, Message


def answer(
    session: Session, conversation: Conversation, result: StepResult, effect: Effect,
    inbound_id: int, hotline_zone: object,
) -> None:
    """Put the answer to STATUS among the step's replies, where the turn asked for it."""
    locale = result.snapshot.locale or "en"
    replies = status_replies(session, conversation.id or 0, locale, inbound_id, str(hotline_zone))
    at = int(effect.data.get("at", len(result.replies)))
    result.replies[at:at] = replies


def status_replies(
    session: Session, conversation_id: int, locale: str, inbound_id: int, hotline_zone: str
) -> list[Reply]:
    """The family's newest case: received, with an advocate, waiting for them, or closed;
    then its next hearing, if one is recorded."""
    case = session.exec(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())
    ).first()
    if case is None:
        return [Reply("case_status.none")]
    ref = {"ref": case.ref}
    if case.status == "closed":
        replies = [Reply("case_status.closed", ref)]
    elif case.status == "new":
        replies = [Reply("case_status.received", ref)]
    elif _waiting_for_family(session, conversation_id, inbound_id):
        replies = [Reply("case_status.waiting", ref)]
    else:
        name = _shared_first_name(session, case)
        replies = [
            Reply("case_status.with_named_advocate", {**ref, "name": name}) if name
            else Reply("case_status.with_advocate", ref)
        ]
    hearing = upcoming(session, case.id or 0, utcnow())
    if hearing is not None:
        params = hearing_params(HearingDetails.of(hearing), locale, hotline_zone)
        replies.append(Reply("case_status.hearing", params))
    return replies


def _waiting_for_family(session: Session, conversation_id: int, inbound_id: int) -> bool:
    """The advocate wrote last: the family has not answered them yet."""
    last = session.exec(
        select(Message.author)
        .where(
            Message.conversation_id == conversation_id,
            Message.id < inbound_id,
            Message.author.in_(("family", "advocate")),
            Message.status != SCHEDULED,
        )
        .order_by(Message.id.desc())
    ).first()
    return last == "advocate"


def _shared_first_name(session: Session, case: Case) -> str | None:
    """The holder's first name, only when they chose to share it."""
    holder = session.exec(
        select(Advocate)
        .join(Handoff, Handoff.holder_id == Advocate.id)
        .where(Handoff.case_id == case.id)
    ).first()
    if holder is None or not holder.share_first_name:
        return None
    return (holder.name or "").split()[0] if (holder.name or "").strip() else None
