"""Which messages belong to a case.

A family's conversation can hold several cases, one after the other (a case is closed, the
family writes again, a new case opens). Each case owns a range of the conversation's message
ids: from just after the previous case's last message (or the conversation's first message,
for the first case) up to its own last message. A case's last message is the newest one of
the conversation when it was closed, its closing message included; an open case has no end
yet. So the advocate of the next case does not read the closed case's replies, and the
advocate who closed a case does not read what the family writes afterwards through it.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from ..storage.advocates import CaseEvent
from ..storage.models import Case, Message, OutboxMessage


def last_message_id(session: Session, conversation_id: int) -> int:
    """The newest message of a conversation (0 when it has none): where a closing case ends."""
    session.flush()
    newest = session.exec(
        select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
    ).one()
    return int(newest or 0)


def case_end(session: Session, case: Case) -> int | None:
    """The id of a closed case's last message; None while the case is open."""
    if case.status != "closed":
        return None
    closed = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "closed")
        .order_by(CaseEvent.id.desc())
    ).first()
    through = (closed.detail or {}).get("through") if closed is not None else None
    if isinstance(through, int):
        return through
    # Closed before the end was recorded: its closing message, else what came before closing.
    closing = session.exec(
        select(func.max(OutboxMessage.message_id)).where(OutboxMessage.case_id == case.id)
    ).one()
    if closing:
        return int(closing)
    if case.closed_at is None:
        return 0
    before = session.exec(
        select(func.max(Message.id)).where(
            Message.conversation_id == case.conversation_id, Message.created_at <= case.closed_at
        )
    ).one()
    return int(before or 0)


def message_range(session: Session, case: Case) -> tuple[int, int | None]:
    """(after, through): the case's messages have after < id <= through (no end: None)."""
    previous = session.exec(
        select(Case)
        .where(Case.conversation_id == case.conversation_id, Case.id < case.id)
        .order_by(Case.id.desc())
    ).first()
    after = (case_end(session, previous) or 0) if previous is not None else 0
    return after, case_end(session, case)


def case_messages(session: Session, case: Case, *, inbound_only: bool = False) -> list[Message]:
    """The case's own messages, oldest first."""
    after, through = message_range(session, case)
    query = select(Message).where(
        Message.conversation_id == case.conversation_id, Message.id > after
    )
    if through is not None:
        query = query.where(Message.id <= through)
    if inbound_only:
        query = query.where(Message.direction == "in")
    return list(session.exec(query.order_by(Message.created_at, Message.id)).all())


def earlier_cases(session: Session, case: Case) -> list[Case]:
    """The family's cases before this one, newest first."""
    return list(
        session.exec(
            select(Case)
            .where(Case.conversation_id == case.conversation_id, Case.id < case.id)
            .order_by(Case.id.desc())
        ).all()
    )
