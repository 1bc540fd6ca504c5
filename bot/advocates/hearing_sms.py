"""A hearing by SMS, from an advocate's registered number (see sms_commands.py):

    HEARING K7F-3QX 2027-01-15 9:00 Chicago Immigration Court
    HEARING K7F-3QX 1/15/2027 9am CT video Chicago Immigration Court
    HEARING K7F-3QX CANCEL

Dates as 2027-01-15, 1/15/2027, 1/15/27 or 1/15 (the next one); times as 9:00, 9am, 2:30 p.m.
or 14:30 (a bare 1 to 6 o'clock is taken as afternoon: courts do not sit at night); an
optional US time zone (ET, CT, MT, PT, AZ, AKT, HT or their standard and daylight names);
VIDEO or IN PERSON anywhere before the court.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..storage.hearings import HearingDetails
from .texts import HEARING_HELP

_REF = r"(?P<ref>[A-Za-z0-9]{3}[\s-]?[A-Za-z0-9]{3})"
_HEARING = re.compile(rf"^\s*hearing\s+{_REF}\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_CANCEL = re.compile(r"^\s*(?:cancel|cancelled|canceled)\s*[.!]?\s*$", re.IGNORECASE)
_DATE = re.compile(
    r"^\s*(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?:/(?P<y2>\d{4}|\d{2}))?)(?!\d)"
)
_TIME = re.compile(
    r"^\s*(?:at\s+)?(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\b\.?)?",
    re.IGNORECASE,
)
ZONES = {
    "America/New_York": ("et", "est", "edt"),
    "America/Chicago": ("ct", "cst", "cdt"),
    "America/Denver": ("mt", "mst", "mdt"),
    "America/Phoenix": ("az",),
    "America/Los_Angeles": ("pt", "pst", "pdt"),
    "America/Anchorage": ("akt", "akst", "akdt"),
    "Pacific/Honolulu": ("ht", "hst"),
}
_ZONE_WORDS = {word: zone for zone, words in ZONES.items() for word in words}
_ZONE = re.compile(r"^\s*(?P<zone>[a-z]{2,4})\b", re.IGNORECASE)
_MODE = re.compile(r"(?:^|[\s,;:-])(?P<mode>(?:by\s+)?video|in[\s-]person)(?=$|[\s,;:.-])",
                   re.IGNORECASE)


@dataclass(frozen=True)
class HearingCommand:
    """What an advocate's HEARING text asks: a hearing to record, a cancellation, or an error."""

    ref: str
    details: HearingDetails | None = None
    cancel: bool = False
    error: str | None = None


def parse(body: str, default_zone: str, now: datetime) -> HearingCommand | None:
    """Read a HEARING command; None when the text is not one."""
    match = _HEARING.match(body or "")
    if match is None:
        return None
    ref, rest = match["ref"], match["rest"]
    if _CANCEL.match(rest):
        return HearingCommand(ref, cancel=True)
    try:
        return HearingCommand(ref, details=_details(rest, default_zone, now))
    except ValueError as exc:
        return HearingCommand(ref, error=f"{exc} {HEARING_HELP}")


def _details(rest: str, default_zone: str, now: datetime) -> HearingDetails:
    found = _DATE.match(rest)
    if found is None:
        raise ValueError("The date is missing or not understood.")
    rest = rest[found.end():]
    clock = _TIME.match(rest)
    if clock is None or not (clock["min"] or clock["ampm"]):
        raise ValueError("The time is missing or not understood.")
    rest = rest[clock.end():]
    zone_name = default_zone
    zone = _ZONE.match(rest)
    if zone and zone["zone"].lower() in _ZONE_WORDS:
        zone_name = _ZONE_WORDS[zone["zone"].lower()]
        rest = rest[zone.end():]
    tz = ZoneInfo(zone_name)
    day = _day(found, now.astimezone(tz).date())
    at = datetime.combine(day, _clock(clock), tzinfo=tz)
    mode = "in_person"
    wanted = _MODE.search(rest)
    if wanted is not None:
        mode = "video" if "video" in wanted["mode"].lower() else "in_person"
        rest = rest[: wanted.start()] + " " + rest[wanted.end():]
    court = re.sub(r"^(?:\s|[,;:.-]|at\b)+", "", rest.strip(), flags=re.IGNORECASE).strip()
    return HearingDetails(at=at, court=" ".join(court.split()), mode=mode)


def _day(found: re.Match[str], today: date) -> date:
    if found["y"]:
        year, month, day = int(found["y"]), int(found["m"]), int(found["d"])
    else:
        month, day = int(found["m2"]), int(found["d2"])
        year = int(found["y2"]) if found["y2"] else today.year
        if found["y2"] and year < 100:
            year += 2000
    try:
        value = date(year, month, day)
        if not found["y"] and not found["y2"] and value < today:
            value = date(year + 1, month, day)  # "1/15" in December: next January
    except ValueError:
        raise ValueError("That date does not exist.") from None
    return value


def _clock(found: re.Match[str]) -> time:
    hour, minute = int(found["h"]), int(found["min"] or 0)
    ampm = (found["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if hour > 23 or minute > 59 or (ampm and not 1 <= hour <= 12):
        raise ValueError("That time does not exist.")
    if ampm == "pm" and hour != 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif not ampm and 1 <= hour <= 6:
        hour += 12  # "2:30": the afternoon
    return time(hour, minute)
