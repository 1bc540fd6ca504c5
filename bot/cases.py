"""Reading cases for operators: the `hotline cases` commands."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from .storage.models import Case


def case_row(case: Case, *, full: bool = False) -> dict[str, Any]:
    """A case as JSON: no personal data unless full is asked for."""
    row: dict[str, Any] = {
        "ref": case.ref,
        "status": case.status,
        "urgent": case.urgent,
        "kind": case.kind,
        "language": case.language,
        "channel": case.channel,
        "created_at": case.created_at.isoformat(),
    }
    if full:
        row["answers"] = case.answers or {}
        row["media"] = case.media or []
    return row


def list_cases(db: Engine, *, full: bool = False) -> list[dict[str, Any]]:
    with Session(db) as session:
        cases = session.exec(select(Case).order_by(Case.created_at.desc(), Case.id.desc())).all()
        return [case_row(case, full=full) for case in cases]
