"""The advocates: accounts, passwords, languages, and who is on call when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, select

from ..conversation.identifiers import parse_phone
from ..storage import crypto
from ..storage.advocates import ROLES, Advocate, OnCallWindow
from ..storage.models import utcnow

PASSWORDS = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 10
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?|daily|weekdays|weekends)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A language code as the locales name them: "es", "ht", "mam", "pt-BR", "zh-Hant".
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$", re.IGNORECASE)
MAX_LANGUAGES = 12


class RosterError(ValueError):
    """An advocate's details are wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Window:
    """One weekly on-call window: the day it starts and its start and end in minutes."""

    weekday: int
    start: int
    end: int

    def covers(self, moment: datetime) -> bool:
        """True when a local time falls inside the window (ends past midnight roll over)."""
        minute = moment.hour * 60 + moment.minute
        day = moment.weekday()
        if self.start < self.end:
            return day == self.weekday and self.start <= minute < self.end
        return (day == self.weekday and minute >= self.start) or (
            day == (self.weekday + 1) % 7 and minute < self.end
        )

    def __str__(self) -> str:
        return f"{DAYS[self.weekday]} {_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return 24 * 60
    time(hours, minutes)  # raises ValueError for 25:00 or 10:75
    return hours * 60 + minutes


def parse_windows(spec: str) -> list[Window]:
    """'mon-fri 09:00-17:00', 'sat 10:00-14:00', 'daily 22:00-06:00' → weekly windows."""
    match = _WINDOW.match(spec)
    if not match:
        raise RosterError(f"on-call window {spec!r} should look like 'mon-fri 09:00-17:00'")
    days_text = match["days"].lower().replace(" ", "")
    named = {"daily": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun"}
    days_text = named.get(days_text, days_text)
    first, _, last = days_text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise RosterError(f"on-call window {spec!r}: days are mon, tue, wed, thu, fri, sat, sun")
    try:
        start, end = _minutes(match["start"]), _minutes(match["end"]) % (24 * 60)
    except ValueError:
        raise RosterError(f"on-call window {spec!r}: times are 00:00 to 24:00") from None
    if start == end:
        raise RosterError(f"on-call window {spec!r} is empty: choose always on call for all day")
    begin = DAYS.index(first)
    stop = DAYS.index(last) if last else begin
    days = [(begin + n) % 7 for n in range((stop - begin) % 7 + 1)]
    return [Window(day, start, end) for day in days]


def parse_hours(specs: list[str], *, always: bool) -> list[Window]:
    """Always on call, or weekly windows (one spec each): never both, never neither."""
    specs = [spec for spec in specs if spec.strip()]
    if always == bool(specs):
        raise RosterError(
            "choose either always on call or one or more weekly windows like "
            "'mon-fri 09:00-17:00'"
        )
    return [window for spec in specs for window in parse_windows(spec)]


def parse_languages(values: list[str]) -> list[str]:
    """Language codes as typed ("es, en", "mam"), preferred first, each once."""
    codes: list[str] = []
    for value in values:
        for code in value.replace(",", " ").split():
            if not _LANGUAGE.match(code):
                raise RosterError(
                    f"{code[:20]!r} is not a language code: use codes like es, en, ht, mam"
                )
            if code.lower() not in (known.lower() for known in codes):
                codes.append(code)
    if len(codes) > MAX_LANGUAGES:
        raise RosterError(f"at most {MAX_LANGUAGES} languages")
    return codes


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RosterError(f"the password needs at least {MIN_PASSWORD} characters")


def hash_password(password: str) -> str:
    check_new_password(password)
    return PASSWORDS.hash(password)


def check_password(advocate: Advocate, password: str) -> bool:
    """True when the password matches (argon2 verify, constant time)."""
    if not advocate.password_hash:
        burn_time(password)
        return False
    try:
        return PASSWORDS.verify(advocate.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time(password: str) -> None:
    """Spend as long as a real check, so an unknown email cannot be told from a wrong password."""
    try:
        PASSWORDS.verify(_dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        pass


@cache
def _dummy_hash() -> str:
    return PASSWORDS.hash("not a password anyone uses")


def normal_email(email: str) -> str:
    return email.strip().lower()


def email_hashes(email: str) -> list[str]:
    return crypto.current().lookup_hashes(normal_email(email))


def check_contact(phone: str, email: str | None) -> tuple[str, str | None]:
    """The phone number in E.164 and the email in lower case; RosterError when malformed."""
    number = parse_phone(phone)
    if number is None or not phone.strip().startswith("+"):
        raise RosterError(f"{phone!r} is not a phone number in +E.164 form, like +12125550100")
    if email:
        email = normal_email(email)
        if not _EMAIL.match(email):
            raise RosterError(f"{email!r} is not an email address")
    return number, email or None


def add_advocate(
    session: Session,
    *,
    name: str,
    phone: str,
    email: str | None = None,
    languages: list[str] | None = None,
    role: str = "advocate",
    password: str | None = None,
    windows: list[Window] | None = None,
) -> Advocate:
    """Create an advocate; on call at all hours unless windows are given."""
    name = name.strip()
    if not name:
        raise RosterError("the name is empty")
    number, email = check_contact(phone, email)
    if role not in ROLES:
        raise RosterError(f"role must be one of {', '.join(ROLES)}")
    keys = crypto.current()
    if find_by_phone(session, number) is not None:
        raise RosterError("another advocate already has this phone number")
    email_hash = None
    if email:
        if find_by_email(session, email, active_only=False) is not None:
            raise RosterError("another advocate already has this email")
        email_hash = keys.lookup_hash(email)
    advocate = Advocate(
        name=name,
        phone=number,
        phone_hash=keys.lookup_hash(number),
        email=email or None,
        email_hash=email_hash,
        languages=parse_languages(languages or []),
        role=role,
        password_hash=hash_password(password) if password else None,
        always_on=not windows,
    )
    session.add(advocate)
    session.flush()
    set_windows(session, advocate, windows or [], always_on=not windows)
    return advocate


def set_windows(
    session: Session, advocate: Advocate, windows: list[Window], *, always_on: bool
) -> None:
    """Replace an advocate's on-call windows."""
    session.execute(delete(OnCallWindow).where(OnCallWindow.advocate_id == advocate.id))
    for window in windows:
        session.add(
            OnCallWindow(
                advocate_id=advocate.id,
                weekday=window.weekday,
                start_minute=window.start,
                end_minute=window.end,
            )
        )
    advocate.always_on = always_on
    advocate.updated_at = utcnow()
    session.add(advocate)
    session.flush()


def windows_of(session: Session, advocate_id: int) -> list[Window]:
    rows = session.exec(
        select(OnCallWindow)
        .where(OnCallWindow.advocate_id == advocate_id)
        .order_by(OnCallWindow.weekday, OnCallWindow.start_minute)
    ).all()
    return [Window(row.weekday, row.start_minute, row.end_minute) for row in rows]


def find_by_phone(session: Session, phone: str) -> Advocate | None:
    hashes = crypto.current().lookup_hashes(phone)
    return session.exec(select(Advocate).where(Advocate.phone_hash.in_(hashes))).first()


def find_by_email(session: Session, email: str, *, active_only: bool = True) -> Advocate | None:
    query = select(Advocate).where(Advocate.email_hash.in_(email_hashes(email)))
    if active_only:
        query = query.where(Advocate.active == True)  # noqa: E712
    return session.exec(query).first()


def find(session: Session, ident: str) -> Advocate | None:
    """An advocate by id, email or phone number (what an operator types)."""
    ident = ident.strip()
    if ident.isdigit():
        return session.get(Advocate, int(ident))
    if "@" in ident:
        return find_by_email(session, ident, active_only=False)
    number = parse_phone(ident)
    return find_by_phone(session, number) if number else None


def active_advocates(session: Session) -> list[Advocate]:
    return list(
        session.exec(select(Advocate).where(Advocate.active == True).order_by(Advocate.id)).all()  # noqa: E712
    )


def on_call(session: Session, moment: datetime) -> list[Advocate]:
    """Active advocates on call at a local time: always on, or inside one of their windows."""
    advocates = active_advocates(session)
    windows: dict[int, list[Window]] = {}
    for row in session.exec(select(OnCallWindow)).all():
        windows.setdefault(row.advocate_id, []).append(
            Window(row.weekday, row.start_minute, row.end_minute)
        )
    return [
        a for a in advocates
        if a.always_on or any(w.covers(moment) for w in windows.get(a.id or 0, []))
    ]


def listing(session: Session, moment: datetime) -> list[dict[str, Any]]:
    """Every advocate as an operator sees them: role, languages, hours, on call at a local time.

    The phone number is shown by its last four digits only.
    """
    now_on_call = {a.id for a in on_call(session, moment)}
    return [
        {
            "id": a.id,
            "name": a.name,
            "role": a.role,
            "email": a.email,
            "phone": "…" + a.phone[-4:],
            "languages": a.languages,
            "active": a.active,
            "hours": "always" if a.always_on
            else [str(w) for w in windows_of(session, a.id or 0)],
            "on_call_now": a.active and a.id in now_on_call,
        }
        for a in session.exec(select(Advocate).order_by(Advocate.id)).all()
    ]


def end_sessions(session: Session, advocate: Advocate) -> None:
    """End every inbox session the advocate has open, on every device, at their next request."""
    advocate.session_generation = (advocate.session_generation or 0) + 1
    advocate.updated_at = utcnow()
    session.add(advocate)


def set_password_hash(session: Session, advocate: Advocate, password_hash: str) -> None:
    """Replace an advocate's password (made with hash_password): their open sessions end."""
    advocate.password_hash = password_hash
    end_sessions(session, advocate)


def set_role(session: Session, advocate: Advocate, role: str) -> None:
    """Make an advocate an admin or a plain advocate: their open sessions end.

    The last active admin stays one: nobody would be left to manage the inbox.
    """
    if role not in ROLES:
        raise RosterError(f"role must be one of {', '.join(ROLES)}")
    if advocate.is_admin and role != "admin" and advocate.active:
        # Lock the admins' rows: two admins demoting each other at once cannot both pass.
        admins = session.exec(
            select(Advocate.id)
            .where(Advocate.role == "admin", Advocate.active == True)  # noqa: E712
            .with_for_update()
        ).all()
        if not set(admins) - {advocate.id}:
            raise RosterError(
                f"{advocate.name} is the last admin: make someone else an admin first"
            )
    advocate.role = role
    end_sessions(session, advocate)


def set_languages(session: Session, advocate: Advocate, languages: list[str]) -> None:
    """Replace the languages an advocate reads and speaks (checked with parse_languages)."""
    advocate.languages = parse_languages(languages)
    advocate.updated_at = utcnow()
    session.add(advocate)


def deactivate(session: Session, advocate: Advocate) -> None:
    """An advocate who leaves: no more logins, notifications or SMS commands; history stays."""
    advocate.active = False
    end_sessions(session, advocate)


def speaks(advocate: Advocate, language: str | None) -> bool:
    base = (language or "").split("-")[0].lower()
    return any(code.split("-")[0].lower() == base for code in advocate.languages or [])


def reading_language(advocate: Advocate) -> str:
    """The language an advocate reads cases in: their choice, else the first they speak.

    Summary labels are written in it (falling back to English) and family messages are
    machine-translated into it when translation is on."""
    return advocate.reading_language or (advocate.languages or ["en"])[0]
