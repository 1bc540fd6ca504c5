"""A case's timeline: every notification, escalation, claim, reply and close, in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from ..storage.advocates import CaseEvent
from ..storage.models import Case


def add_event(
    session: Session,
    case: Case,
    kind: str,
    at: datetime,
    /,
    *,
    advocate_id: int | None = None,
    **detail: Any,
) -> CaseEvent:
    """Write one line of the timeline, in the caller's transaction."""
    event = CaseEvent(
        case_id=case.id, at=at, kind=kind, advocate_id=advocate_id, detail=detail or None
    )
    session.add(event)
    return event


def events_of(session: Session, case_id: int) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
    )
