"""Erasing a number: erase_contact, and the hooks other modules register to erase their rows."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, update
from sqlmodel import Session, select

from .storage.models import Case, Contact, Conversation, Message


def erase_contact(session: Session, contact: Contact) -> None:
    """Delete every row about one number: messages, cases, conversation, contact."""
    conversation_ids = list(
        session.exec(select(Conversation.id).where(Conversation.contact_id == contact.id)).all()
    )
    if conversation_ids:
        for hook in ERASE_HOOKS:
            hook(session, conversation_ids)
        session.execute(
            update(Message)
            .where(Message.conversation_id.in_(conversation_ids))
            .values(in_reply_to=None)
        )
        session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
        session.execute(delete(Case).where(Case.conversation_id.in_(conversation_ids)))
        session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    session.execute(delete(Contact).where(Contact.id == contact.id))


# Other modules that keep rows about a conversation (outbox, case notes, audit) register a
# function here so DELETE erases those rows too.
ERASE_HOOKS: list[Callable[[Session, list[int]], None]] = []
