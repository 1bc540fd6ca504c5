"""When a hearing's reminders go out: HOTLINE_HEARING_REMINDERS ("7d,1d,morning") made times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

MORNING = time(7, 0)  # "morning": 7:00 on the day, in the court's time zone
# The morning reminder is not sent when the hearing is this close to (or before) 7:00.
MORNING_MARGIN = timedelta(minutes=30)


@dataclass(frozen=True)
class ReminderPlan:
    """The reminders each hearing gets, and the time zone hearings are in by default."""

    before: tuple[str, ...] = ("7d", "1d", "morning")
    zone: str = "America/New_York"

    @classmethod
    def from_settings(cls, settings: Any) -> ReminderPlan:
        return cls(
            before=tuple(settings.hearing_reminders),
            zone=settings.court_timezone or settings.timezone,
        )

    def times(self, at: datetime, now: datetime) -> list[datetime]:
        """The reminders of a hearing at `at` (aware, the court's zone) still ahead of `now`.

        "Nd" is N days before at the hearing's own time of day (a day is a calendar day, so a
        change of clocks moves nothing); "Nh" is N hours before; "morning" is 7:00 that day.
        """
        found: set[datetime] = set()
        for word in self.before:
            if word == "morning":
                moment = datetime.combine(at.date(), MORNING, tzinfo=at.tzinfo)
                if moment > at - MORNING_MARGIN:
                    continue
            elif word.endswith("d"):
                day = at.date() - timedelta(days=int(word[:-1]))
                moment = datetime.combine(day, at.time(), tzinfo=at.tzinfo)
            else:
                moment = at - timedelta(hours=int(word[:-1]))
            if moment > now:
                found.add(moment.astimezone(UTC))
        return sorted(found)
