"""What an advocate does with a case's hearing: record it, change it, cancel it.

Shared by the case page and the HEARING SMS command; each function runs in the caller's
transaction, writes the case timeline, and lets bot/hearings queue the family's notice and
reminders. A refusal is a CaseworkError, shown to the advocate as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from .. import hearings
from ..storage.advocates import Advocate
from ..storage.hearings import HearingDetails
from ..storage.models import Case
from . import audit, casework, texts
from .desk import Desk
from .hearing_sms import HearingCommand
from .timeline import add_event


def notices(desk: Desk) -> hearings.Notices:
    hotline = desk.hotline
    return hearings.Notices(
        catalog=hotline.catalog, hotline_name=hotline.hotline_name,
        hotline_zone=str(hotline.timezone), plan=desk.hearings,
    )


def record(session: Session, desk: Desk, case: Case, advocate: Advocate,
           details: HearingDetails, now: datetime) -> str:
    """Record or change the case's next hearing: "scheduled", "changed" or "unchanged"."""
    if case.status == "closed":
        raise casework.CaseworkError(f"Case {case.ref} is closed.")
    family = casework.family_of(session, case)
    try:
        _, status = hearings.record(session, notices(desk), case, family, details,
                                    advocate_id=advocate.id, now=now)
    except hearings.HearingError as exc:
        raise casework.CaseworkError(str(exc)) from None
    if status != "unchanged":
        add_event(session, case, f"hearing_{status}", now, advocate_id=advocate.id)
    return status


def cancel(session: Session, desk: Desk, case: Case, advocate: Advocate, now: datetime) -> None:
    """Cancel the case's next hearing: reminders taken back, the family told."""
    family = casework.family_of(session, case)
    try:
        hearings.cancel(session, notices(desk), case, family, advocate_id=advocate.id, now=now)
    except hearings.HearingError as exc:
        raise casework.CaseworkError(str(exc)) from None
    add_event(session, case, "hearing_cancelled", now, advocate_id=advocate.id)


def by_sms(session: Session, desk: Desk, advocate: Advocate, command: HearingCommand,
           now: datetime) -> tuple[str, int | None, str]:
    """Carry out a HEARING text: (action, case id, the reply to the advocate)."""
    ref = casework.normal_ref(command.ref)
    case = casework.find_case(session, ref, lock=True)
    if case is None:
        return "unknown", None, f"No case {ref}."
    if command.error or command.details is None and not command.cancel:
        return "hearing", case.id, command.error or texts.HEARING_HELP
    try:
        if command.cancel:
            cancel(session, desk, case, advocate, now)
            action, reply = "hearing_cancel", texts.hearing_cancelled(case.ref)
        else:
            assert command.details is not None
            status = record(session, desk, case, advocate, command.details, now)
            action, reply = "hearing", texts.hearing_recorded(case.ref, command.details.at,
                                                              status)
    except casework.CaseworkError as exc:
        return "hearing", case.id, str(exc)
    audit.record(session, f"sms_{action}", advocate_id=advocate.id, ref=case.ref)
    return action, case.id, reply
