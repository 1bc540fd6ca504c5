"""What an advocate does with a case: claim, release, reply, close, hand back, take notes.

Shared by the inbox and the advocates' SMS commands; each function runs in the caller's
transaction. While an advocate holds a case, `conversation.data["held"]` keeps the bot quiet
(see `Turn.while_held` in bot/conversation/turn.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from .. import outbox
from ..conversation.sms import MAX_BODY
from ..storage.advocates import Advocate, CaseNote, Handoff
from ..storage.models import Case, Contact, Conversation
from . import dispatch
from . import handoff as handoffs
from .desk import Desk
from .timeline import add_event
from .transcript import last_message_id

log = logging.getLogger(__name__)
MAX_NOTE = 4000


class CaseworkError(Exception):
    """Why an action cannot be done, in words for the advocate."""


@dataclass
class Family:
    """Where a case's family is reached: their Twilio address, and whether they opted out."""

    address: str
    opted_out: bool
    locale: str | None


def find_case(session: Session, ref: str, *, lock: bool = False) -> Case | None:
    """A case by its reference ('k7f3qx' and 'K7F-3QX' both work).

    With lock=True the family's conversation is locked first, then the case: the order an
    inbound message takes them in, so an action and a family's text never deadlock.
    """
    case = session.exec(select(Case).where(Case.ref == normal_ref(ref))).first()
    if case is None or not lock:
        return case
    session.exec(
        select(Conversation.id).where(Conversation.id == case.conversation_id).with_for_update()
    ).first()
    return session.exec(
        select(Case)
        .where(Case.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def normal_ref(ref: str) -> str:
    chars = "".join(ch for ch in ref.upper() if ch.isalnum())
    return f"{chars[:3]}-{chars[3:]}" if len(chars) == 6 else ref.strip().upper()


# --------------------------------------------------------------------------- who may do what
def can_view(advocate: Advocate, case: Case, handoff: Handoff | None) -> bool:
    """Open cases are the whole team's; a closed case only its last holder's (and admins')."""
    if advocate.is_admin or case.status != "closed":
        return True
    return handoff is not None and handoff.holder_id == advocate.id


def can_manage(advocate: Advocate, handoff: Handoff | None) -> bool:
    """Release, close and hand back: the holder, or an admin."""
    return advocate.is_admin or (handoff is not None and handoff.holder_id == advocate.id)


# --------------------------------------------------------------------------- actions
def claim(session: Session, desk: Desk, case: Case, advocate: Advocate, now: datetime) -> Handoff:
    """Take a case: nobody else is told any more, and the bot stops talking to the family."""
    if case.status == "closed":
        raise CaseworkError(f"Case {case.ref} is closed.")
    handoff = handoffs.handoff_of(session, case, now)
    if handoff.holder_id == advocate.id:
        return handoff
    if handoff.holder_id is not None:
        raise CaseworkError(f"Case {case.ref} is already held by {holder_name(session, handoff)}.")
    handoff.holder_id = advocate.id
    handoff.claimed_at = now
    handoff.escalate_at = None
    handoff.relay_noticed_at = None
    handoff.updated_at = now
    session.add(handoff)
    case.status = "claimed"
    case.updated_at = now
    session.add(case)
    set_held(session, case, True)
    add_event(session, case, "claimed", now, advocate_id=advocate.id)
    dispatch.queue(session, desk, kind="webhook", event="claimed", case=case)
    log.info("case=%s claimed advocate=%s", case.id, advocate.id)
    return handoff


def release(session: Session, desk: Desk, case: Case, advocate: Advocate, now: datetime) -> None:
    """Put a case back in the queue: the bot answers again and the advocates are told anew."""
    handoff = _managed(session, case, advocate, now)
    if handoff.holder_id is None:
        raise CaseworkError(f"Case {case.ref} is not held by anyone.")
    previous = handoff.holder_id
    handoff.holder_id = None
    handoff.claimed_at = None
    case.status = "new"
    case.updated_at = now
    session.add(case)
    set_held(session, case, False)
    add_event(session, case, "unclaimed", now, advocate_id=advocate.id, holder=previous)
    handoffs.restart(session, desk, case, handoff, now)


def reply(
    session: Session, desk: Desk, case: Case, advocate: Advocate, body: str, now: datetime
) -> int:
    """Text the family through the hotline number, on their channel; returns the message id.

    An unclaimed case is claimed first; a case handed back to the bot is taken back, so the
    bot and the advocate never talk over each other.
    """
    body = (body or "").strip()
    if not body:
        raise CaseworkError("The message is empty.")
    if len(body) > MAX_BODY:
        raise CaseworkError(f"The message is longer than {MAX_BODY} characters.")
    family = family_of(session, case)
    if family.opted_out:
        raise CaseworkError(
            "The family texted STOP: the hotline cannot text them until they text START."
        )
    handoff = claim(session, desk, case, advocate, now)
    if not is_held(session, case):
        set_held(session, case, True)
        add_event(session, case, "taken_over", now, advocate_id=advocate.id)
    row = outbox.enqueue(
        session,
        to=family.address,
        kind="advocate_reply",
        body=body,
        conversation_id=case.conversation_id,
        case_id=case.id,
        author="advocate",
    )
    handoff.relay_noticed_at = None  # the family's next message is news again
    handoff.updated_at = now
    session.add(handoff)
    add_event(session, case, "replied", now, advocate_id=advocate.id, message=row.message_id)
    return row.message_id or 0


def close(session: Session, desk: Desk, case: Case, advocate: Advocate, now: datetime) -> None:
    """Close a case: the family gets a closing message in their language, the bot takes over."""
    if case.status == "closed":
        raise CaseworkError(f"Case {case.ref} is already closed.")
    handoff = _managed(session, case, advocate, now)
    case.status = "closed"
    case.closed_at = now
    case.updated_at = now
    session.add(case)
    handoff.escalate_at = None
    handoff.updated_at = now
    session.add(handoff)
    set_held(session, case, False)
    family = family_of(session, case)
    if not family.opted_out:
        catalog = desk.hotline.catalog
        text = catalog.render(
            "advocate.closing",
            family.locale or case.language,
            {"ref": case.ref, "hotline": desk.hotline.hotline_name},
        )
        outbox.enqueue(
            session, to=family.address, kind="closing", body=text,
            conversation_id=case.conversation_id, case_id=case.id, author="advocate",
        )
    # The case's messages end here: what the family writes next belongs to their next case.
    through = last_message_id(session, case.conversation_id)
    add_event(session, case, "closed", now, advocate_id=advocate.id, through=through)
    dispatch.queue(session, desk, kind="webhook", event="closed", case=case)
    log.info("case=%s closed advocate=%s", case.id, advocate.id)


def hand_back(session: Session, desk: Desk, case: Case, advocate: Advocate, now: datetime) -> None:
    """The bot answers the family again; the case stays open and held by the same advocate."""
    _managed(session, case, advocate, now)
    if not is_held(session, case):
        raise CaseworkError(f"The bot already answers the family of case {case.ref}.")
    set_held(session, case, False)
    add_event(session, case, "handed_back", now, advocate_id=advocate.id)


def add_note(session: Session, case: Case, advocate: Advocate, body: str, now: datetime) -> None:
    body = (body or "").strip()
    if not body:
        raise CaseworkError("The note is empty.")
    if len(body) > MAX_NOTE:
        raise CaseworkError(f"A note holds at most {MAX_NOTE} characters.")
    session.add(CaseNote(case_id=case.id, advocate_id=advocate.id, body=body, created_at=now))
    add_event(session, case, "note", now, advocate_id=advocate.id)


# --------------------------------------------------------------------------- helpers
def _managed(session: Session, case: Case, advocate: Advocate, now: datetime) -> Handoff:
    handoff = handoffs.handoff_of(session, case, now)
    if not can_manage(advocate, handoff):
        if handoff.holder_id is None:
            raise CaseworkError(f"Claim case {case.ref} first.")
        raise CaseworkError(f"Case {case.ref} is held by {holder_name(session, handoff)}.")
    return handoff


def holder_name(session: Session, handoff: Handoff) -> str:
    holder = session.get(Advocate, handoff.holder_id) if handoff.holder_id else None
    return holder.name if holder else "another advocate"


def family_of(session: Session, case: Case) -> Family:
    conversation = session.get(Conversation, case.conversation_id)
    contact = session.get(Contact, conversation.contact_id) if conversation else None
    if conversation is None or contact is None:
        raise CaseworkError(f"The family of case {case.ref} erased their data.")
    address = contact.phone
    if conversation.channel == "whatsapp":
        address = f"whatsapp:{contact.phone}"
    return Family(address=address, opted_out=contact.opted_out, locale=conversation.locale)


def is_held(session: Session, case: Case) -> bool:
    conversation = session.get(Conversation, case.conversation_id)
    return bool(conversation and (conversation.data or {}).get("held"))


def set_held(session: Session, case: Case, held: bool) -> None:
    """Quiet the bot, or let it speak again, in the same transaction as the claim or close."""
    # Locked like an inbound message locks it, so a text arriving at the same moment cannot
    # write back a snapshot without the flag.
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.id == case.conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if conversation is None:
        return
    data = dict(conversation.data or {})
    if held:
        data["held"] = True
    else:
        data.pop("held", None)
    conversation.data = data  # a new dict: SQLAlchemy does not see changes inside the old one
    session.add(conversation)
