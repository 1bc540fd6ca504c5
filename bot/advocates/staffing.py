"""Changing who an advocate is on the desk: languages, role and weekly on-call hours.

The one path both the `hotline advocate` commands and the inbox's advocates page take: the
roster checks each value, and each change that differs is written to the audit log (by whom,
about whom). Values are parsed with roster.parse_languages and roster.parse_hours first, so a
mistake anywhere changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..storage.advocates import Advocate
from . import audit, roster


@dataclass(frozen=True)
class Hours:
    """When an advocate is on call: always, or inside the weekly windows."""

    always: bool
    windows: tuple[roster.Window, ...] = ()

    @classmethod
    def parse(cls, specs: list[str], *, always: bool) -> Hours:
        return cls(always, tuple(roster.parse_hours(specs, always=always)))

    def __str__(self) -> str:
        return "always" if self.always else "; ".join(str(w) for w in self.windows)


def hours_of(session: Session, advocate: Advocate) -> Hours:
    if advocate.always_on:
        return Hours(True)
    return Hours(False, tuple(roster.windows_of(session, advocate.id or 0)))


def change(
    session: Session,
    advocate: Advocate,
    *,
    languages: list[str] | None = None,
    role: str | None = None,
    hours: Hours | None = None,
    by: int | None = None,
    ip: str | None = None,
) -> list[str]:
    """Apply what differs from today (None: leave as it is); returns the audit actions written.

    `by` is the admin who made the change in the inbox (None at the command line).
    """
    done: list[str] = []
    if languages is not None and languages != list(advocate.languages or []):
        roster.set_languages(session, advocate, languages)
        done.append("languages_changed")
    if hours is not None and hours != hours_of(session, advocate):
        roster.set_windows(session, advocate, list(hours.windows), always_on=hours.always)
        done.append("hours_changed")
    if role is not None and role != advocate.role:
        roster.set_role(session, advocate, role)  # the last admin stays: RosterError
        done.append(f"made_{role}")
    for action in done:
        audit.record(session, action, advocate_id=by, subject_id=advocate.id, ip=ip)
    return done
