"""Recording, changing and cancelling a hearing, and what the family is sent about it.

Each function runs in the caller's transaction: the hearing, its reminders (outbox rows held
back until their time) and the notice to the family commit together or not at all. A change
or a cancellation takes back the reminders not yet sent before anything new is queued.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete
from sqlmodel import Session, select

from .. import erasure
from ..conversation.formats import format_clock, format_day
from ..conversation.i18n import Catalog
from ..erasure import ERASE_HOOKS
from ..outbox import enqueue, unschedule
from ..storage.hearings import MODES, Hearing, HearingDetails, upcoming
from ..storage.models import Case
from .schedule import ReminderPlan

log = logging.getLogger(__name__)
REMINDER = "hearing_reminder"  # outbox kinds
NOTICE = "hearing_notice"
MAX_COURT = 200


class HearingError(Exception):
    """Why a hearing cannot be recorded or cancelled, in words for the advocate."""


class Family(Protocol):
    """Where the family is reached (bot.advocates.casework.Family)."""

    address: str
    opted_out: bool
    locale: str | None


@dataclass(frozen=True)
class Notices:
    """What writing to a family about a hearing needs: words, names, zones, reminder times."""

    catalog: Catalog
    hotline_name: str
    hotline_zone: str
    plan: ReminderPlan

    def params(self, details: HearingDetails, locale: str) -> dict[str, Any]:
        """{date}, {time}, {court} and {how} of a hearing, in the family's language."""
        return hearing_params(details, locale, self.hotline_zone) | {
            "how": self.catalog.render(f"hearing.{details.mode}", locale),
        }


def hearing_params(details: HearingDetails, locale: str, hotline_zone: str) -> dict[str, str]:
    """A hearing's day, time and court as a family reads them; the time zone is named only when
    the court is not in the hotline's own zone ("9:00 AM CST")."""
    at = details.at
    clock = format_clock(at.time(), locale)
    if details.zone != hotline_zone:
        clock = f"{clock} {at.tzname()}"
    return {"date": format_day(at.date(), locale), "time": clock, "court": details.court}


def check(details: HearingDetails, now: datetime) -> None:
    """Refuse what a family could not use: a past date, no court, an unknown mode."""
    if details.at <= now:
        raise HearingError("That date and time have already passed. Check the date.")
    court = details.court.strip()
    if not court:
        raise HearingError("Write the court (its name or address) so the family knows where.")
    if len(court) > MAX_COURT:
        raise HearingError(f"The court is longer than {MAX_COURT} characters.")
    if details.mode not in MODES:
        raise HearingError("Choose in person or video.")


def record(
    session: Session, notices: Notices, case: Case, family: Family, details: HearingDetails,
    *, advocate_id: int | None, now: datetime,
) -> tuple[Hearing, str]:
    """Record the case's next hearing, or change it if one is ahead; returns (hearing, status).

    The family gets a notice with the date (or the new date), and reminders are queued.
    """
    check(details, now)
    hearing = upcoming(session, case.id or 0, now)
    if hearing is not None and HearingDetails.of(hearing).as_json() == details.as_json():
        return hearing, "unchanged"
    if hearing is None:
        hearing = Hearing(case_id=case.id, status="scheduled", created_at=now)
    else:
        hearing.status = "changed"
    hearing.details = details.as_json()
    hearing.recorded_by = advocate_id
    hearing.updated_at = now
    session.add(hearing)
    session.flush()
    taken_back = unschedule(session, case_id=case.id or 0, kind=REMINDER)
    key = "hearing.recorded" if hearing.status == "scheduled" else "hearing.changed"
    _notify(session, notices, case, family, key, details)
    queued = _remind(session, notices, case, family, details, now)
    log.info("hearing %s case=%s reminders=%d taken_back=%d", hearing.status, case.id, queued,
             taken_back)
    return hearing, hearing.status


def cancel(
    session: Session, notices: Notices, case: Case, family: Family, *,
    advocate_id: int | None, now: datetime,
) -> Hearing:
    """Cancel the case's next hearing: its reminders are taken back and the family is told."""
    hearing = upcoming(session, case.id or 0, now)
    if hearing is None:
        raise HearingError(f"Case {case.ref} has no hearing ahead to cancel.")
    hearing.status = "cancelled"
    hearing.recorded_by = advocate_id
    hearing.updated_at = now
    session.add(hearing)
    taken_back = unschedule(session, case_id=case.id or 0, kind=REMINDER)
    _notify(session, notices, case, family, "hearing.cancelled", HearingDetails.of(hearing))
    log.info("hearing cancelled case=%s taken_back=%d", case.id, taken_back)
    return hearing


def _text(notices: Notices, case: Case, family: Family, key: str,
          details: HearingDetails) -> str:
    """A message about the hearing in the family's language (the case's, if unknown)."""
    locale = family.locale or case.language or "en"
    params = {"ref": case.ref, "hotline": notices.hotline_name, **notices.params(details, locale)}
    return notices.catalog.render(key, locale, params)


def _notify(session: Session, notices: Notices, case: Case, family: Family, key: str,
            details: HearingDetails) -> None:
    if family.opted_out:
        return  # they texted STOP: nothing until START
    body = _text(notices, case, family, key, details)
    enqueue(session, to=family.address, kind=NOTICE, body=body,
            conversation_id=case.conversation_id, case_id=case.id)


def _remind(session: Session, notices: Notices, case: Case, family: Family,
            details: HearingDetails, now: datetime) -> int:
    """Queue the reminders still ahead; whether the family has opted out is checked when each
    is due (they may text STOP, or START again, before then)."""
    body = _text(notices, case, family, "hearing.reminder", details)
    times = notices.plan.times(details.at, now)
    for moment in times:
        enqueue(session, to=family.address, kind=REMINDER, body=body, send_at=moment,
                conversation_id=case.conversation_id, case_id=case.id)
    return len(times)


# --------------------------------------------------------------------------- erasing
def _erase(session: Session, conversation_ids: list[int]) -> None:
    """DELETE (and the retention purge of a whole number) erases the family's hearings."""
    erasure.run(session, _ERASE, conversation_ids)


_ERASE = delete(Hearing).where(
    Hearing.case_id.in_(select(Case.id).where(Case.conversation_id.in_(erasure.ids())))
)


ERASE_HOOKS.append(_erase)
