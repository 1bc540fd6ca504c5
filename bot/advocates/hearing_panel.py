"""What the case page shows about a case's hearing: the one ahead, its reminders waiting to go
out, the family's own answer to the court question, and the form's starting values (filled
from that answer when the advocate asks to confirm it)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from ..hearings.answer import read_answer
from ..hearings.book import REMINDER
from ..outbox import SCHEDULED
from ..storage.hearings import HearingDetails, upcoming
from ..storage.models import Case, OutboxMessage
from .casework import CaseworkError
from .desk import Desk

ZONE_LABELS = {
    "America/New_York": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Arizona",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
    "America/Puerto_Rico": "Puerto Rico",
    "Pacific/Guam": "Guam and Saipan",
}


def zones(default: str) -> list[tuple[str, str]]:
    """The time zones a hearing may be in: the US courts', and the hotline's own default."""
    listed = dict(ZONE_LABELS)
    listed.setdefault(default, default)
    return list(listed.items())


# --------------------------------------------------------------------------- the panel
def panel(session: Session, desk: Desk, case: Case, now: datetime, *, prefill: bool) -> dict:
    """What the case page shows about hearings, and the form's starting values."""
    hearing = upcoming(session, case.id or 0, now)
    ahead = HearingDetails.of(hearing) if hearing is not None else None
    family_answer = (case.answers or {}).get("hearing")
    form: dict[str, Any] = {"zone": desk.hearings.zone, "mode": "in_person", "date": "",
                            "time": "", "court": ""}
    if ahead is not None:
        form.update(date=ahead.at.date().isoformat(), time=f"{ahead.at:%H:%M}",
                    zone=ahead.zone, court=ahead.court, mode=ahead.mode)
    read = None
    if prefill and isinstance(family_answer, str):
        # Read from the day the family wrote it: "December 8" then is the next December 8.
        day, clock = read_answer(family_answer, case.language, desk.local(case.created_at))
        read = day is not None
        if day is not None:
            form.update(date=day.isoformat(), time=f"{clock:%H:%M}" if clock else "")
    reminders = session.exec(
        select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.kind == REMINDER,
               OutboxMessage.status == SCHEDULED)
        .order_by(OutboxMessage.next_attempt_at)
    ).all()
    return {
        "ahead": ahead,
        "status": hearing.status if hearing is not None else None,
        "when": f"{ahead.at:%A, %B} {ahead.at.day}, {ahead.at:%Y at %H:%M} "
                f"({ZONE_LABELS.get(ahead.zone, ahead.zone)})" if ahead else "",
        "reminders": [desk.local(moment).strftime("%Y-%m-%d %H:%M") for moment in reminders],
        "family_answer": family_answer if isinstance(family_answer, str) else None,
        "read": read,
        "form": form,
        "zones": zones(desk.hearings.zone),
    }


def details_from(form: Any, desk: Desk) -> HearingDetails:
    """The form's fields as a hearing; a refusal says which field to fix."""
    try:
        day = date.fromisoformat((form.get("date") or "").strip())
    except ValueError:
        raise CaseworkError("Write the date of the hearing, like 2027-01-15.") from None
    raw = (form.get("time") or "").strip()
    try:
        clock = time.fromisoformat(raw.zfill(5) if len(raw) == 4 else raw)
    except ValueError:
        raise CaseworkError("Write the time of the hearing, like 09:00.") from None
    zone = form.get("zone") or desk.hearings.zone
    if zone not in dict(zones(desk.hearings.zone)):
        raise CaseworkError("Choose the time zone of the court from the list.")
    at = datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=ZoneInfo(zone))
    return HearingDetails(at=at, court=" ".join((form.get("court") or "").split()),
                          mode=form.get("mode") or "in_person")
