"""The outbox's one door for producers (enqueue, in the caller's transaction), and reading it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, union
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from .. import erasure
from ..addresses import channel_of, phone_of
from ..erasure import ERASE_HOOKS
from ..storage import crypto
from ..storage.clock import aware, utcnow
from ..storage.models import Case, Message, OutboxMessage
from .status import ERASE, FAILED, SCHEDULED


def enqueue(
    session: Session,
    *,
    to: str,
    kind: str,
    body: str | None = None,
    conversation_id: int | None = None,
    case_id: int | None = None,
    author: str = "bot",
    content_sid: str | None = None,
    content_variables: dict[str, Any] | None = None,
    provider_sid: str | None = None,
    send_at: datetime | None = None,
) -> OutboxMessage:
    """Queue one message in the current transaction; it is sent only if the transaction commits.

    `to` is a Twilio address ("+1555…" or "whatsapp:+1555…"); the message goes out on that
    channel. A message to a family (conversation_id given) also appears in their transcript.
    `content_variables` without `content_sid` fill the WhatsApp template used when the
    24-hour window has closed (default: {"1": the hotline's name}).

    kind="erase" (ERASE) with `provider_sid` and no `to` deletes that message and its media at
    Twilio: the row holds Twilio's sid and nothing else about anyone.

    `send_at` (aware) holds the message back until then (a reminder): the row and its transcript
    line are SCHEDULED, never shown as sent, and the worker takes it only once it is due.
    """
    now = utcnow()
    later = send_at is not None and send_at > now
    if kind == ERASE:
        if not provider_sid or to or body or conversation_id or case_id:
            raise ValueError("an erase row names a Twilio message sid and nothing else")
        row = _erase_row(provider_sid, now)
        session.add(row)
        session.flush()
        return row
    channel = channel_of(to)
    message_id = None
    if conversation_id is not None:
        transcript = Message(
            conversation_id=conversation_id,
            direction="out",
            channel=channel,
            author=author,
            body=body,
            status=SCHEDULED if later else "queued",
            created_at=send_at if later else now,
            updated_at=now,
        )
        session.add(transcript)
        session.flush()
        message_id = transcript.id
    row = OutboxMessage(
        kind=kind,
        channel=channel,
        to=to,
        to_hash=crypto.current().lookup_hash(phone_of(to)),
        body=body,
        content_sid=content_sid,
        content_variables=content_variables,
        conversation_id=conversation_id,
        message_id=message_id,
        case_id=case_id,
        status=SCHEDULED if later else "pending",
        next_attempt_at=send_at if later else now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def unschedule(session: Session, *, case_id: int, kind: str) -> int:
    """Take back the messages of one kind about a case that have not gone out yet; returns how
    many. Their transcript lines go too: they were never sent."""
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status.in_((SCHEDULED, "pending")),
        )
    ).all()
    message_ids = [row.message_id for row in rows if row.message_id is not None]
    session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_([row.id for row in rows])))
    if message_ids:
        session.execute(delete(Message).where(Message.id.in_(message_ids)))
    return len(rows)


def failed_for_case(session: Session, case_id: int) -> list[OutboxMessage]:
    """Messages for or about a case that did not reach their recipient as written, oldest first.

    Failed, undelivered and needing a template, and those replaced by the WhatsApp template;
    `status`, `error_code` and `error` (a reason without numbers or bodies) say why.
    """
    about = OutboxMessage.case_id == case_id
    case = session.get(Case, case_id)
    if case is not None:
        about = or_(about, OutboxMessage.conversation_id == case.conversation_id)
    query = (
        select(OutboxMessage)
        .where(about, or_(OutboxMessage.status.in_(FAILED), OutboxMessage.template_fallback))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(session.exec(query).all())


def _erase(session: Session, conversation_ids: list[int]) -> None:
    """DELETE erases what was queued for or about the family too, and Twilio's copies."""
    rows = sorted(erasure.run(session, _ROWS_ABOUT, conversation_ids).scalars())
    sids = set(erasure.run(session, _MESSAGE_SIDS, conversation_ids).scalars())
    if rows:
        sids.update(erasure.run(session, _ROW_SIDS, rows).scalars())
        erasure.run(session, _DELETE_ROWS, rows)
    erase_at_twilio(session, {sid for sid in sids if sid})


def twilio_sids(session: Session, messages: Any, rows: Any) -> set[str]:
    """Twilio's sids of the messages and outbox rows matching these conditions (rows None:
    no outbox row)."""
    sids = set(session.exec(_message_sids(messages)))
    if rows is not None:
        sids.update(session.exec(_row_sids(rows)))
    return {sid for sid in sids if sid}


def _message_sids(messages: Any) -> Any:
    return select(Message.message_sid).where(messages, Message.message_sid.is_not(None))


def _row_sids(rows: Any) -> Any:
    """The sids of what the rows sent (an erasure's own row names a sid it did not send)."""
    return select(OutboxMessage.provider_sid).where(
        rows, OutboxMessage.provider_sid.is_not(None), OutboxMessage.kind != ERASE
    )


# The rows' ids first, one indexed lookup per link: PostgreSQL reads an OR of these links (two
# of them subqueries) by scanning the whole outbox, which grows for ever.
_ROWS_ABOUT = union(
    select(OutboxMessage.id).where(OutboxMessage.conversation_id.in_(erasure.ids())),
    select(OutboxMessage.id)
    .join(Message, OutboxMessage.message_id == Message.id)
    .where(Message.conversation_id.in_(erasure.ids())),
    select(OutboxMessage.id)
    .join(Case, OutboxMessage.case_id == Case.id)
    .where(Case.conversation_id.in_(erasure.ids())),
)
_MESSAGE_SIDS = _message_sids(Message.conversation_id.in_(erasure.ids()))
_ROW_SIDS = _row_sids(OutboxMessage.id.in_(erasure.ids()))
_DELETE_ROWS = delete(OutboxMessage).where(OutboxMessage.id.in_(erasure.ids()))


def erase_at_twilio(session: Session, sids: Iterable[str]) -> int:
    """Queue the deletion of these messages (and their media) at Twilio, once each."""
    wanted = sorted(set(sids))
    if not wanted:
        return 0
    known = set(erasure.run(session, _KNOWN_SIDS, wanted).scalars())
    fresh = [sid for sid in wanted if sid not in known]
    if fresh:
        # One row built through the model, the others copied from it: a SQLModel object costs
        # more to make than the INSERT that stores it.
        model = _erase_row(fresh[0], utcnow()).model_dump(exclude={"id"})
        rows = [
            {**model, "to_hash": _erase_row_hash(sid), "provider_sid": sid} for sid in fresh
        ]
        session.connection().execute(insert(OutboxMessage), rows)  # one statement for them all
    return len(fresh)


_KNOWN_SIDS = select(OutboxMessage.provider_sid).where(
    OutboxMessage.provider_sid.in_(erasure.ids())
)


def _erase_row(provider_sid: str, now: datetime) -> OutboxMessage:
    """The outbox row that deletes one message (and its media) at Twilio: its sid, nothing
    else about anyone."""
    return OutboxMessage(
        kind=ERASE, to="", to_hash=_erase_row_hash(provider_sid), provider_sid=provider_sid,
        next_attempt_at=now, created_at=now, updated_at=now,
    )


def _erase_row_hash(provider_sid: str) -> str:
    return f"erase:{provider_sid}"[:64]


ERASE_HOOKS.append(_erase)


# --------------------------------------------------------------------------- reading it
def summary(db: Engine) -> dict[str, int]:
    """How many outbox rows are in each status."""
    with Session(db) as session:
        rows = session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return {status: count for status, count in rows}


LISTED = ("id", "kind", "channel", "status", "attempts", "error_code", "error", "case_id",
          "created_at")


def listing(db: Engine, statuses: Iterable[str] | None = None, limit: int = 50) -> list[dict]:
    """Recent outbox rows without personal data (no number, no body): `hotline outbox list`."""
    columns = [getattr(OutboxMessage, name) for name in LISTED]
    query = select(*columns).order_by(OutboxMessage.id.desc()).limit(limit)
    if statuses:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    with Session(db) as session:
        rows = [dict(zip(LISTED, values, strict=True)) for values in session.exec(query)]
    for row in rows:
        row["created_at"] = aware(row["created_at"]).isoformat()  # type: ignore[union-attr]
    return rows

