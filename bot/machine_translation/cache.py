"""Translations kept in the database (encrypted), read before the server is asked.

Reading and keeping are separate steps so the translation server is never called while a
database transaction (and SQLite's write lock) is open.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import erasure
from ..erasure import ERASE_HOOKS, MESSAGE_ERASE_HOOKS
from ..storage.db import transaction
from ..storage.machine_translations import ADVOCATE, MACHINE, MessageTranslation
from ..storage.models import Message

log = logging.getLogger(__name__)


def kept(session: Session, message_ids: list[int], language: str) -> dict[int, MessageTranslation]:
    """The stored translations of these messages into `language`, by message id."""
    return _rows(session, message_ids, MessageTranslation.language == language)


def _rows(session: Session, message_ids: list[int], *where: Any) -> dict[int, MessageTranslation]:
    if not message_ids:
        return {}
    rows = session.exec(
        select(MessageTranslation).where(MessageTranslation.message_id.in_(message_ids), *where)
    ).all()
    return {row.message_id: row for row in rows}


def keep(db: Engine, translations: Mapping[int, str], language: str) -> None:
    """Store machine translations; a message erased meanwhile, or one stored by another page
    view at the same moment, is left alone."""
    if not translations:
        return
    try:
        with transaction(db) as session:
            ids = list(translations)
            alive = set(session.exec(select(Message.id).where(Message.id.in_(ids))).all())
            already = set(kept(session, ids, language))
            for message_id, text in translations.items():
                if message_id in alive and message_id not in already:
                    session.add(MessageTranslation(
                        message_id=message_id, language=language, origin=MACHINE, body=text
                    ))
    except IntegrityError:
        log.info("machine translations stored by another request first")


def keep_original(session: Session, message_id: int, language: str, text: str) -> None:
    """The advocate's own words behind a translated reply, in the caller's transaction."""
    session.add(MessageTranslation(
        message_id=message_id, language=language, origin=ADVOCATE, body=text
    ))


def originals(session: Session, message_ids: list[int]) -> dict[int, MessageTranslation]:
    """What advocates wrote before their replies were translated, by message id."""
    return _rows(session, message_ids, MessageTranslation.origin == ADVOCATE)


def erase_messages(session: Session, message_ids: list[int]) -> None:
    """The erase hook for single messages (the purge): their translations go first."""
    if message_ids:
        session.execute(
            delete(MessageTranslation).where(MessageTranslation.message_id.in_(message_ids))
        )


def erase_conversations(session: Session, conversation_ids: list[int]) -> None:
    """The erase hook for DELETE and a refused consent: every translation of their messages."""
    erasure.run(session, _ERASE_CONVERSATIONS, conversation_ids)


_ERASE_CONVERSATIONS = delete(MessageTranslation).where(
    MessageTranslation.message_id.in_(
        sa_select(Message.id).where(Message.conversation_id.in_(erasure.ids()))
    )
)


ERASE_HOOKS.append(erase_conversations)
MESSAGE_ERASE_HOOKS.append(erase_messages)
