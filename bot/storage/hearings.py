"""Court hearings recorded on a case: when, where, how. Everything about them is encrypted.

A case has at most one hearing that is not cancelled and not yet past: recording another one
changes it. `details` holds the date and time (ISO, with the court's offset), the court's time
zone, the court and whether it is in person or by video.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, select

from .clock import utcnow
from .crypto import EncryptedJSON

MODES = ("in_person", "video")
STATUSES = ("scheduled", "changed", "cancelled")


class Hearing(SQLModel, table=True):
    """One court hearing of a case, as an advocate recorded it."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    status: str = Field(default="scheduled", max_length=16)  # scheduled, changed, cancelled
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(EncryptedJSON))
    recorded_by: int | None = Field(default=None, foreign_key="advocate.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class HearingDetails:
    """A hearing's facts, read from (or written to) its encrypted column."""

    at: datetime  # aware, in the court's time zone
    court: str
    mode: str = "in_person"

    @property
    def zone(self) -> str:
        return str(self.at.tzinfo)

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "zone": self.zone, "court": self.court,
                "mode": self.mode}

    @classmethod
    def of(cls, hearing: Hearing) -> HearingDetails:
        data = hearing.details or {}
        at = datetime.fromisoformat(data["at"]).astimezone(ZoneInfo(data["zone"]))
        return cls(at=at, court=data.get("court", ""), mode=data.get("mode", "in_person"))


def hearings_of(session: Session, case_id: int) -> list[Hearing]:
    """A case's hearings, newest first."""
    return list(
        session.exec(
            select(Hearing).where(Hearing.case_id == case_id).order_by(Hearing.id.desc())
        ).all()
    )


def upcoming(session: Session, case_id: int, now: datetime) -> Hearing | None:
    """The case's next hearing that is not cancelled (the dates are encrypted: read in Python)."""
    found = [
        (HearingDetails.of(h).at, h) for h in hearings_of(session, case_id)
        if h.status != "cancelled"
    ]
    ahead = sorted((at, h.id or 0, h) for at, h in found if at > now)
    return ahead[0][2] if ahead else None
