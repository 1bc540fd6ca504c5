"""The audit log: every case view, export and action in the inbox, readable by admins."""

from __future__ import annotations

from sqlmodel import Session, select

from ..security import valid_address
from ..storage.advocates import AuditEntry
from ..storage.models import utcnow


def record(
    session: Session,
    action: str,
    *,
    advocate_id: int | None,
    ref: str | None = None,
    ip: str | None = None,
    subject_id: int | None = None,
) -> None:
    """Write one entry: the action, the case reference (or the advocate it was about) and who;
    never personal data.

    `ip` is stored only as a valid IP address ("invalid" otherwise), never as raw header text.
    """
    address = valid_address(ip) if ip is not None else None
    session.add(
        AuditEntry(
            at=utcnow(), advocate_id=advocate_id, action=action, ref=ref, ip=address,
            subject_id=subject_id,
        )
    )


def entries(
    session: Session, *, ref: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if ref:
        query = query.where(AuditEntry.ref == ref)
    return list(session.exec(query).all())
