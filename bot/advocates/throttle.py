"""A brake on guessing passwords: login attempts counted in the database, atomically.

Attempts are counted in `login_attempt`, per account (the keyed hash of the email) and per
address, rather than in process memory: the inbox runs in several gunicorn workers and on
several machines, and a guesser must not get a fresh allowance from each of them.

An attempt is counted *before* its password is checked, in a short transaction of its own:
the counting is serialised per key (SQLite's write lock; a transaction-scoped advisory lock on
PostgreSQL), so sixteen parallel guesses get exactly the limit through and no more. The
argon2 check itself then runs with no lock held, so failed logins never hold up the webhook.
A login that succeeds takes its attempt back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, select

from ..storage import crypto
from ..storage.advocates import LoginAttempt
from ..storage.db import is_postgres
from .roster import normal_email

ATTEMPT_WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5  # failed attempts for one email within the window
PER_ADDRESS = 20  # failed attempts from one IP address within the window


@dataclass(frozen=True)
class Keys:
    """The counters one attempt is charged to (keyed hashes: no email or address stored).

    From a known device of the account's advocate (devices.py), an attempt is charged to that
    device alone: a stranger's failures on the account or from the same address do not lock
    the advocate out there, and the device is still held to PER_ACCOUNT.
    """

    account: str
    address: str
    refused: str  # marks that this address was refused once in the window (for the audit)
    device: str | None = None

    @classmethod
    def of(cls, email: str, address: str, device_id: str | None = None) -> Keys:
        keys = crypto.current()
        return cls(
            account=keys.lookup_hash("login-account:" + normal_email(email)),
            address=keys.lookup_hash("login-address:" + address),
            refused=keys.lookup_hash("login-refused:" + address),
            device=keys.lookup_hash("login-device:" + device_id) if device_id else None,
        )

    def charged(self) -> tuple[str, ...]:
        return (self.device,) if self.device else (self.account, self.address)


@dataclass
class Ticket:
    """An attempt's verdict: let through to the password check (with the rows that count it)
    or refused; and whether its failure is the one the audit log records for its window.

    The audit log is written by people who are not logged in, so it keeps one failure per
    address (and per known account) and one refusal per address in each window, not one row
    per attempt: a thousand wrong logins add a handful of rows.
    """

    keys: Keys
    allowed: bool = True
    audit: bool = True
    row_ids: list[int] = field(default_factory=list)


def _serialise(session: Session, *keys: str) -> None:
    """Make counting and recording one step: on PostgreSQL, lock each key until commit.

    On SQLite the transaction already holds the database's single write lock.
    """
    if not is_postgres(session.get_bind()):
        return
    for key in sorted(set(keys)):  # always the same order: two logins never deadlock
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(key[:15], 16)})


def failures(session: Session, key: str, now: datetime) -> int:
    since = now - ATTEMPT_WINDOW
    return session.exec(
        select(func.count()).where(LoginAttempt.key_hash == key, LoginAttempt.at >= since)
    ).one()


def admit(session: Session, keys: Keys, now: datetime, *, known_account: bool) -> Ticket:
    """Count an attempt before its password is checked, or refuse it once a limit is reached."""
    charged = keys.charged()
    _serialise(session, *charged, keys.refused)
    counts = [failures(session, key, now) for key in charged]
    limits = [PER_ACCOUNT] if keys.device else [PER_ACCOUNT, PER_ADDRESS]
    if any(count >= limit for count, limit in zip(counts, limits, strict=True)):
        first_refusal = failures(session, keys.refused, now) == 0
        if first_refusal:
            session.add(LoginAttempt(key_hash=keys.refused, at=now))
        return Ticket(keys=keys, allowed=False, audit=first_refusal)
    rows = [LoginAttempt(key_hash=key, at=now) for key in charged]
    session.add_all(rows)
    session.flush()
    if keys.device:
        first = counts[0] == 0
    else:
        first = counts[1] == 0 or (known_account and counts[0] == 0)
    return Ticket(keys=keys, audit=first, row_ids=[row.id for row in rows if row.id is not None])


def succeeded(session: Session, ticket: Ticket) -> None:
    """The password was right: take the attempt back and forget the failures it was held to.

    From a known device only that device's failures are forgotten: a stranger's failures on the
    account keep counting against the stranger.
    """
    session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(ticket.row_ids)))
    forget = ticket.keys.device or ticket.keys.account
    session.execute(delete(LoginAttempt).where(LoginAttempt.key_hash == forget))
