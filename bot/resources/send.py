"""Giving a family their referral card: after the intake as a message of its own following the
confirmation, on REFERRALS inside the reply. Called by the service in the message's transaction.

Both go out as the TwiML reply, like every answer to a family's text; the outbox is for what
is sent later, and an advocate's first message stays the first message the worker sends."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from sqlmodel import Session, select

from ..conversation.i18n import Catalog
from ..storage.models import Case, Conversation
from .directory import Directory
from .referrals import card, card_lines, matching

log = logging.getLogger(__name__)
OWN_MESSAGES = "own_messages"  # the service sends these after the reply, each on its own


class Hotline(Protocol):
    """What the card needs of the service: the directory and the locales."""

    resources: Directory | None
    catalog: Catalog


def give_card(
    session: Session,
    hotline: Hotline,
    data: Mapping[str, Any],
    conversation: Conversation,
    snapshot: Any,
    context: dict[str, object],
) -> None:
    """The engine's `referrals` effect: the card as a message of its own, or the reply's list."""
    directory = hotline.resources or Directory()  # no directory: the card's words alone
    catalog, answers = hotline.catalog, snapshot.answers
    locale = conversation.locale or "en"
    if data.get("separate"):
        # After the intake: a message of its own, after the confirmation, in the same reply.
        card_text = card(catalog, locale, matching(directory, answers, [locale, *catalog.codes]))
        own = context.setdefault(OWN_MESSAGES, [])
        assert isinstance(own, list)
        own.append(card_text)
        log.info("referral card given conversation=%s", conversation.id)
        return
    case = _latest_case(session, conversation.id)
    # A family with no case gets the national lines; the card is the reply's {resources}.
    entries = matching(directory, case.answers if case else None, [locale, *catalog.codes])
    context["resources"] = card_lines(catalog, locale, entries)


def own_messages(context: Mapping[str, object]) -> list[str]:
    """The messages an effect asked to send after the reply, each on its own."""
    own = context.get(OWN_MESSAGES)
    return [str(text) for text in own] if isinstance(own, list) else []


def _latest_case(session: Session, conversation_id: int) -> Case | None:
    return session.exec(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())
    ).first()
