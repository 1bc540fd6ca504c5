"""Giving a family their referral card: after the intake through the outbox, on REFERRALS as
the reply. Called by the service inside the inbound message's transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from sqlmodel import Session, select

from ..conversation.i18n import Catalog
from ..outbox.queue import enqueue
from ..storage.models import Case, Contact, Conversation
from .directory import Directory
from .referrals import card, card_lines, matching

log = logging.getLogger(__name__)
KIND = "referrals"  # the outbox row's kind


class Hotline(Protocol):
    """What the card needs of the service: the directory and the locales."""

    resources: Directory | None
    catalog: Catalog


def give_card(
    session: Session,
    hotline: Hotline,
    data: Mapping[str, Any],
    contact: Contact,
    conversation: Conversation,
    snapshot: Any,
    context: dict[str, object],
) -> None:
    """The engine's `referrals` effect: queue the card (after an intake) or put it in the reply."""
    directory = hotline.resources or Directory()  # no directory: the card's words alone
    catalog, answers = hotline.catalog, snapshot.answers
    locale = conversation.locale or "en"
    if data.get("queue"):
        text = card(catalog, locale, matching(directory, answers, [locale, *catalog.codes]))
        address = contact.phone
        if conversation.channel == "whatsapp":
            address = f"whatsapp:{contact.phone}"
        case = _latest_case(session, conversation.id)
        enqueue(
            session, to=address, kind=KIND, body=text, conversation_id=conversation.id,
            case_id=case.id if case else None,
        )
        log.info("referral card queued conversation=%s", conversation.id)
        return
    case = _latest_case(session, conversation.id)
    # A family with no case gets the national lines; the card is the reply's {resources}.
    entries = matching(directory, case.answers if case else None, [locale, *catalog.codes])
    context["resources"] = card_lines(catalog, locale, entries)


def _latest_case(session: Session, conversation_id: int) -> Case | None:
    return session.exec(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())
    ).first()
