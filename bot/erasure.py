"""Erasing: a whole number (DELETE), what one conversation stored (no consent), and the hooks
other modules register to erase their rows too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.sql import Executable
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
    run(session, _UNLINK_MESSAGES, conversation_ids)
    if keep_message is None:
        run(session, _DELETE_MESSAGES, conversation_ids)
    else:
        run(session, _DELETE_MESSAGES_BUT, conversation_ids, keep=keep_message)
    run(session, _DELETE_CASES, conversation_ids)


def ids() -> Any:
    """The list of ids an erasing statement is run for (see run)."""
    return bindparam("ids", expanding=True)


def run(session: Session, statement: Executable, id_list: list[int], **params: Any) -> Any:
    """Run an erasing statement written once, at import, with ``ids()`` in it.

    Written once, it is compiled once. On the session's own connection it skips the ORM's
    matching of a bulk DELETE against the objects the session holds: an erasure's statements
    touch rows the session has not loaded, and through the ORM they made a "No" to consent
    cost five ordinary messages or more (docs/scaling.md).
    """
    return session.connection().execute(statement, {"ids": list(id_list), **params})


_IN_THEM = Message.conversation_id.in_(ids())
_UNLINK_MESSAGES = update(Message).where(_IN_THEM).values(in_reply_to=None)
_DELETE_MESSAGES = delete(Message).where(_IN_THEM)
_DELETE_MESSAGES_BUT = delete(Message).where(_IN_THEM, Message.id != bindparam("keep"))
_DELETE_CASES = delete(Case).where(Case.conversation_id.in_(ids()))


def erase_message_rows(session: Session, message_ids: list[int]) -> None:
    """Before single messages are deleted (the purge): the rows other modules keep about them."""
    for hook in MESSAGE_ERASE_HOOKS:
        hook(session, message_ids)


# Other modules that keep rows about a conversation (outbox, case notes, audit) register a
# function here so DELETE erases those rows too.
ERASE_HOOKS: list[Callable[[Session, list[int]], None]] = []
# The same for rows about single messages (machine translations), when the purge deletes them.
MESSAGE_ERASE_HOOKS: list[Callable[[Session, list[int]], None]] = []
