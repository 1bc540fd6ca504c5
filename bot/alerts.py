"""Opt-in alerts: a family asks for the organization's news (ALERTS, or "yes" after sending
its case) and stops it (ALERTS OFF). STOP stops everything, news included, until START."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from . import erasure
from .erasure import ERASE_HOOKS
from .storage.alerts import AlertSubscription, BroadcastDelivery
from .storage.models import Case, Conversation, utcnow

log = logging.getLogger(__name__)
ZIP = re.compile(r"\d{5}")
REGION_DIGITS = 3  # a ZIP code's first three digits: an area, not a street


def region_of(answers: dict[str, Any] | None) -> str | None:
    """The ZIP prefix of the answers' `zip` (five digits), or None when there is none."""
    value = str((answers or {}).get("zip") or "").strip()
    return value[:REGION_DIGITS] if ZIP.fullmatch(value) else None


def subscription_of(session: Session, conversation_id: int) -> AlertSubscription | None:
    return session.exec(
        select(AlertSubscription).where(AlertSubscription.conversation_id == conversation_id)
    ).first()


def subscribe(
    session: Session, conversation: Conversation, *, language: str, answers: dict[str, Any]
) -> AlertSubscription:
    """Start (or refresh) a conversation's subscription: its language, channel and region."""
    region = region_of(answers) or region_of(_last_case_answers(session, conversation.id))
    subscription = subscription_of(session, conversation.id)  # type: ignore[arg-type]
    if subscription is None:
        subscription = AlertSubscription(conversation_id=conversation.id)  # type: ignore[arg-type]
    else:
        region = region or subscription.region  # an answer later forgotten keeps its area
    subscription.language = language
    subscription.channel = conversation.channel
    subscription.region = region
    subscription.updated_at = utcnow()
    session.add(subscription)
    log.info("alerts on conversation=%s", conversation.id)
    return subscription


def unsubscribe(session: Session, conversation_id: int) -> bool:
    """End a conversation's subscription; nothing about it is kept."""
    found = session.execute(
        delete(AlertSubscription).where(AlertSubscription.conversation_id == conversation_id)
    )
    log.info("alerts off conversation=%s", conversation_id)
    return bool(found.rowcount)


def apply(
    session: Session, conversation: Conversation, data: dict[str, Any], snapshot: Any
) -> None:
    """The engine's "alerts" effect: on or off."""
    if data.get("on"):
        subscribe(
            session, conversation, language=snapshot.locale or "en", answers=snapshot.answers
        )
    else:
        unsubscribe(session, conversation.id)  # type: ignore[arg-type]


def _last_case_answers(session: Session, conversation_id: int | None) -> dict[str, Any]:
    case = session.exec(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())
    ).first()
    return dict(case.answers or {}) if case is not None else {}


def _erase(session: Session, conversation_ids: list[int]) -> None:
    """DELETE (and the purge) end the subscription and forget which broadcasts reached them."""
    for statement in _ERASE:
        erasure.run(session, statement, conversation_ids)


_ERASE = (
    delete(AlertSubscription).where(AlertSubscription.conversation_id.in_(erasure.ids())),
    delete(BroadcastDelivery).where(BroadcastDelivery.conversation_id.in_(erasure.ids())),
)


ERASE_HOOKS.append(_erase)
