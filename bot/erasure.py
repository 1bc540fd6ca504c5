"""Erasing: a whole number (DELETE), what one conversation stored (no consent), and the hooks
other modules register to erase their rows too."""

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
        _erase_conversations(session, conversation_ids)
        session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    session.execute(delete(Contact).where(Contact.id == contact.id))


def forget_conversation(session: Session, conversation_id: int, keep_message: int) -> None:
    """No consent: erase what a conversation stored (its messages, cases and the rows that
    hang on them) but keep the conversation and the number, so the hotline can still answer.
    The message being answered stays: it is the "No" itself, and retries are matched by it."""
    _erase_conversations(session, [conversation_id], keep_message=keep_message)


def _erase_conversations(
    session: Session, conversation_ids: list[int], *, keep_message: int | None = None
) -> None:
    for hook in ERASE_HOOKS:
        hook(session, conversation_ids)
    in_them = Message.conversation_id.in_(conversation_ids)
    session.execute(update(Message).where(in_them).values(in_reply_to=None))
    doomed = in_them if keep_message is None else in_them & (Message.id != keep_message)
    session.execute(delete(Message).where(doomed))
    session.execute(delete(Case).where(Case.conversation_id.in_(conversation_ids)))


def erase_message_rows(session: Session, message_ids: list[int]) -> None:
    """Before single messages are deleted (the purge): the rows other modules keep about them."""
    for hook in MESSAGE_ERASE_HOOKS:
        hook(session, message_ids)


# Other modules that keep rows about a conversation (outbox, case notes, audit) register a
# function here so DELETE erases those rows too.
ERASE_HOOKS: list[Callable[[Session, list[int]], None]] = []
# The same for rows about single messages (machine translations), when the purge deletes them.
MESSAGE_ERASE_HOOKS: list[Callable[[Session, list[int]], None]] = []
