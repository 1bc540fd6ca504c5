"""Outbox statuses: their order, Twilio's codes and reasons, how they are written, callbacks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ..addresses import phone_of
from ..storage import crypto
from ..storage.db import transaction
from ..storage.models import Contact, Message, OutboxMessage, utcnow

log = logging.getLogger(__name__)
# The worker writes with Core statements on the tables: ORM-enabled bulk UPDATEs cost more
# than the database work itself, once per message.
OUTBOX = OutboxMessage.__table__
TRANSCRIPT = Message.__table__

# --------------------------------------------------------------------------- statuses
WAITING = ("pending", "sending")  # not yet handed to Twilio
SCHEDULED = "scheduled"  # held back until its time (next_attempt_at), then pending
# A status only ever moves up this order; equal ranks are all final (the first one stays).
STATUS_RANK = {
    SCHEDULED: 0,
    "pending": 0,
    "queued": 0,  # the transcript's word for pending
    "sending": 1,
    "sent": 2,  # Twilio accepted it
    "console": 2,  # development: printed instead of sent
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "needs_template": 3,
    "read": 4,  # WhatsApp read receipt: it was delivered, whatever came before
    "erased": 5,  # an "erase" row: Twilio deleted the message it names
}
ERASE = "erase"  # the kind of row that deletes a message (and its media) at Twilio
IN_PROGRESS = 20009  # Twilio cannot delete a message it is still sending: try again later
FAILED = ("failed", "undelivered", "needs_template")
# Twilio's MessageStatus in a callback → ours. Earlier stages (queued, sending…) add nothing.
CALLBACK_STATUS = {
    "sent": "sent",
    "delivered": "delivered",
    "partially_delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
    "read": "read",
}

# Twilio error codes with a meaning of their own.
OPTED_OUT = 21610  # the recipient replied STOP
INVALID = (21211, 21614)  # not a valid number; not a mobile number
OUTSIDE_WINDOW = 63016  # WhatsApp: more than 24 hours since the family last wrote
BLOCKED = 63014  # WhatsApp: the recipient blocked the hotline
# What advocates read next to a message that did not go out (never a number or a body).
REASONS = {
    OPTED_OUT: "the recipient has opted out (replied STOP)",
    21211: "not a valid phone number",
    21614: "not a mobile number: it cannot receive texts",
    BLOCKED: "the recipient blocked messages from this WhatsApp number",
    OUTSIDE_WINDOW: "outside WhatsApp's 24-hour window: needs an approved template",
    30003: "unreachable: the phone is off or out of service",
    30004: "blocked by the recipient",
    30005: "unknown number",
    30006: "a landline or an unreachable carrier",
    30007: "filtered by the carrier as spam",
    30008: "not delivered (unknown error)",
}
TEMPLATE_SENT = "outside WhatsApp's 24-hour window: the approved template was sent instead"

# Called inside the transaction that marks a message failed, undelivered or needing a
# template, so the advocates' side can tell someone: (session, outbox row).
FAILURE_LISTENERS: list[Callable[[Session, OutboxMessage], None]] = []


def reason_for(code: int | None, fallback: str = "not delivered") -> str:
    """The advocate-facing reason for a Twilio error code."""
    if code is None:
        return fallback
    return REASONS.get(code, f"{fallback} (Twilio error {code})")


# --------------------------------------------------------------------------- writing them
_STATEMENTS: dict[tuple[str, bool, tuple[str, ...]], Any] = {}


def update_row(
    session: Session, table: Any, row_id: int, values: dict[str, Any], holder: str | None = None
) -> Any:
    """UPDATE one row by id (and, given a holder, only while that worker holds it).

    The statement is built once per shape: building and keying it costs more than running it.
    """
    columns = tuple(sorted(values))
    key = (table.name, holder is not None, columns)
    statement = _STATEMENTS.get(key)
    if statement is None:
        where = [table.c.id == bindparam("row_id")]
        if holder is not None:
            where += [table.c.claimed_by == bindparam("holder"), table.c.status == "sending"]
        statement = update(table).where(*where).values(
            {name: bindparam(f"new_{name}") for name in columns}
        )
        _STATEMENTS[key] = statement
    params = {f"new_{name}": values[name] for name in columns}
    params["row_id"] = row_id
    if holder is not None:
        params["holder"] = holder
    return session.connection().execute(statement, params)


def set_transcript(session: Session, message_id: int | None, **values: Any) -> None:
    """Mirror a message's status on the family's transcript, when it has a transcript row."""
    if message_id is not None:
        update_row(session, TRANSCRIPT, message_id, {"updated_at": utcnow(), **values})


def mark_opted_out(session: Session, address: str) -> None:
    """Twilio says the number replied STOP: never send to it again until it texts START."""
    hashes = crypto.current().lookup_hashes(phone_of(address))
    session.execute(update(Contact).where(Contact.phone_hash.in_(hashes)).values(opted_out=True))


def tell_advocates(session: Session, row: OutboxMessage) -> None:
    """A message did not reach its recipient as written: call the FAILURE_LISTENERS."""
    for listener in FAILURE_LISTENERS:
        listener(session, row)


# --------------------------------------------------------------------------- status callbacks
def record_status(
    db: Engine,
    *,
    sid: str,
    status: str,
    error_code: int | None = None,
    template_sid: str | None = None,
) -> str:
    """Apply one Twilio status callback; returns "updated", "ignored" or "unknown".

    Duplicates and any order are fine: a status only moves up STATUS_RANK. WhatsApp's 63016
    (outside the 24-hour window) queues the approved template when one is configured.
    """
    ours = CALLBACK_STATUS.get(status.lower())
    with transaction(db) as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.provider_sid == sid).with_for_update()
        ).first()
        if row is None:
            return "unknown"
        if ours is None or row.kind == ERASE:
            return "ignored"  # news about a message being erased changes nothing
        now = utcnow()
        if ours in ("failed", "undelivered") and error_code == OPTED_OUT:
            mark_opted_out(session, row.to)
        if (
            ours in ("failed", "undelivered")
            and error_code == OUTSIDE_WINDOW
            and STATUS_RANK[row.status] < STATUS_RANK["delivered"]
        ):
            return _outside_window(session, row, template_sid, now)
        if STATUS_RANK.get(ours, 0) <= STATUS_RANK.get(row.status, 0):
            return "ignored"  # a duplicate, or news older than what we know
        row.status = ours
        row.updated_at = now
        if ours in ("failed", "undelivered"):
            row.error_code = error_code
            row.error = reason_for(error_code)
        session.add(row)
        set_transcript(
            session,
            row.message_id,
            status=ours,
            **({"error_code": error_code} if ours in FAILED else {}),
        )
        if ours in FAILED:
            tell_advocates(session, row)
        log.info("outbox status outbox=%s status=%s code=%s", row.id, ours, error_code)
        return "updated"


def _outside_window(
    session: Session, row: OutboxMessage, template_sid: str | None, now: datetime
) -> str:
    """63016 reported after sending: queue the template in its place, or ask for one."""
    row.error_code = OUTSIDE_WINDOW
    row.updated_at = now
    if template_sid and not row.template_fallback:
        # A new message in place of the one WhatsApp refused; callbacks about the old sid no
        # longer match anything.
        row.status = "pending"
        row.provider_sid = None
        row.content_sid = template_sid
        row.template_fallback = True
        row.error = TEMPLATE_SENT
        row.next_attempt_at = now
        session.add(row)
        set_transcript(session, row.message_id, status="queued", error_code=OUTSIDE_WINDOW)
        log.info("outbox template queued outbox=%s", row.id)
        return "updated"
    row.status = "needs_template"
    row.error = reason_for(OUTSIDE_WINDOW)
    session.add(row)
    set_transcript(session, row.message_id, status="needs_template", error_code=OUTSIDE_WINDOW)
    tell_advocates(session, row)
    log.info("outbox needs template outbox=%s", row.id)
    return "updated"
