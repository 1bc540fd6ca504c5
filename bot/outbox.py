"""Outbound messages: queued in the caller's transaction, delivered later by a worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from .service import ERASE_HOOKS, channel_of, phone_of
from .storage import crypto
from .storage.models import Case, Message, OutboxMessage, utcnow


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
) -> OutboxMessage:
    """Queue one message in the current transaction; it is sent only if the transaction commits.

    `to` is a Twilio address ("+1555…" or "whatsapp:+1555…"); the message goes out on that
    channel. A message to a family (conversation_id given) also appears in their transcript.
    """
    now = utcnow()
    channel = channel_of(to)
    message_id = None
    if conversation_id is not None:
        transcript = Message(
            conversation_id=conversation_id,
            direction="out",
            channel=channel,
            author=author,
            body=body,
            status="queued",
            created_at=now,
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
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _erase(session: Session, conversation_ids: list[int]) -> None:
    """DELETE erases what was queued for or about the family too."""
    messages = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    cases = select(Case.id).where(Case.conversation_id.in_(conversation_ids))
    session.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.conversation_id.in_(conversation_ids),
                OutboxMessage.message_id.in_(messages),
                OutboxMessage.case_id.in_(cases),
            )
        )
    )


ERASE_HOOKS.append(_erase)
