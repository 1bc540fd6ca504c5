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
    """The counters one attempt is charged to (keyed hashes: no email or address stored)."""

    account: str
    address: str

    @classmethod
    def of(cls, email: str, address: str) -> Keys:
        keys = crypto.current()
        return cls(
            account=keys.lookup_hash("login-account:" + normal_email(email)),
            address=keys.lookup_hash("login-address:" + address),
        )


@dataclass
class Ticket:
    """An attempt let through to the password check, and the rows that count it."""

    keys: Keys
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


def admit(session: Session, keys: Keys, now: datetime) -> Ticket | None:
    """Count an attempt before its password is checked; None once a limit is reached."""
    _serialise(session, keys.account, keys.address)
    if (
        failures(session, keys.account, now) >= PER_ACCOUNT
        or failures(session, keys.address, now) >= PER_ADDRESS
    ):
        return None
    rows = [LoginAttempt(key_hash=key, at=now) for key in (keys.account, keys.address)]
    session.add_all(rows)
    session.flush()
    return Ticket(keys=keys, row_ids=[row.id for row in rows if row.id is not None])


def succeeded(session: Session, ticket: Ticket) -> None:
    """The password was right: take the attempt back and forget the account's failures."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(ticket.row_ids)))
    session.execute(delete(LoginAttempt).where(LoginAttempt.key_hash == ticket.keys.account))
