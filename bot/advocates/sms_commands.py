"""Advocates by SMS, from their registered number only.

    CLAIM K7F-3QX         take the case
    K7F-3QX <message>     text the family through the hotline number
    CLOSE K7F-3QX         close the case (the family gets the closing message)
    HEARING K7F-3QX …     record, change or cancel a hearing (see hearing_sms.py)

Anyone else who writes these words gets the ordinary conversation: the sender is recognised by
the keyed hash of their number, and only an active advocate's number is intercepted.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlmodel import Session, select

from ..addresses import phone_of
from ..service import InboundMessage, InboundResult
from ..storage.advocates import Advocate, AdvocateCommand
from . import audit, casework, hearing_actions, hearing_sms, roster, texts
from .desk import Desk

log = logging.getLogger(__name__)

_REF = r"(?P<ref>[A-Za-z0-9]{3}[\s-]?[A-Za-z0-9]{3})"
_COMMAND = re.compile(rf"^\s*(?P<verb>claim|close)\s+{_REF}\s*[.!]?\s*$", re.IGNORECASE)
_MESSAGE = re.compile(rf"^\s*{_REF}(?:[\s:,.-]+(?P<text>.*))?$", re.IGNORECASE | re.DOTALL)


class Commands:
    """An inbound interceptor (Hotline.inbound_interceptors) for advocates' numbers."""

    def __init__(self, desk: Desk):
        self.desk = desk

    def __call__(
        self, session: Session, message: InboundMessage, now: datetime
    ) -> InboundResult | None:
        advocate = roster.find_by_phone(session, phone_of(message.sender))
        if advocate is None or not advocate.active:
            return None
        stored = session.exec(
            select(AdvocateCommand).where(AdvocateCommand.message_sid == message.sid)
        ).first()
        if stored is not None:  # Twilio retried the webhook: answer again, do nothing twice
            return InboundResult([stored.reply], None, duplicate=True)
        action, case_id, reply = self.run(session, advocate, message.body or "", now)
        session.add(
            AdvocateCommand(
                message_sid=message.sid, advocate_id=advocate.id, case_id=case_id,
                action=action, reply=reply, created_at=now,
            )
        )
        log.info("advocate command advocate=%s action=%s case=%s", advocate.id, action, case_id)
        return InboundResult([reply], None)

    def run(
        self, session: Session, advocate: Advocate, body: str, now: datetime
    ) -> tuple[str, int | None, str]:
        """Carry out one command: (action, case id, the reply to the advocate)."""
        hearing = hearing_sms.parse(body, self.desk.hearings.zone, now)
        if hearing is not None:
            return hearing_actions.by_sms(session, self.desk, advocate, hearing, now)
        command = _COMMAND.match(body)
        message = None if command else _MESSAGE.match(body)
        if command is None and (message is None or not (message["text"] or "").strip()):
            return "help", None, texts.COMMANDS_HELP
        match = command or message
        assert match is not None
        ref = casework.normal_ref(match["ref"])
        case = casework.find_case(session, ref, lock=True)
        if case is None:
            if message is not None:
                return "help", None, texts.COMMANDS_HELP
            return "unknown", None, f"No case {ref}."
        verb = command["verb"].lower() if command else "reply"
        try:
            if verb == "claim":
                casework.claim(session, self.desk, case, advocate, now)
                reply = texts.claimed(case.ref)
            elif verb == "close":
                casework.close(session, self.desk, case, advocate, now)
                reply = texts.closed(case.ref)
            else:
                casework.reply(session, self.desk, case, advocate, message["text"], now)  # type: ignore[index]
                reply = texts.sent(case.ref)
        except casework.CaseworkError as exc:
            return verb, case.id, str(exc)
        audit.record(session, f"sms_{verb}", advocate_id=advocate.id, ref=case.ref)
        return verb, case.id, reply
