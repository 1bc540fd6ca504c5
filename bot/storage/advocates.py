"""The advocates' tables: accounts, on-call windows, handoffs, timeline, notes, audit, retention.

Their foreign keys name the tables of models.py ("cases.id"): bot/storage/__init__.py imports
both modules, so `SQLModel.metadata` always holds every table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .crypto import EncryptedJSON, EncryptedText

ROLES = ("advocate", "admin")


class Advocate(SQLModel, table=True):
    """A person who takes cases: found by the keyed hash of their email or phone number."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(EncryptedText, nullable=False))
    email: str | None = Field(default=None, sa_column=Column(EncryptedText))
    email_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    phone: str = Field(sa_column=Column(EncryptedText, nullable=False))
    phone_hash: str = Field(max_length=64, unique=True, index=True)
    # Locale codes the advocate reads and speaks, preferred first ("es", "en").
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The language family messages are machine-translated into (unset: the first one above).
    reading_language: str | None = Field(default=None, max_length=16)
    role: str = Field(default="advocate", max_length=16)  # advocate or admin
    password_hash: str | None = Field(default=None, sa_column=Column(Text))
    active: bool = Field(default=True)
    always_on: bool = Field(default=True)  # on call at every hour, whatever the windows say
    # Every inbox session carries the generation it was opened in; bumping it ends them all.
    session_generation: int = Field(default=0)
    # Whether a family who texts STATUS may read this advocate's first name (their choice).
    share_first_name: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class OnCallWindow(SQLModel, table=True):
    """A weekly window when an advocate is on call, in the hotline's time zone."""

    __tablename__ = "on_call_window"

    id: int | None = Field(default=None, primary_key=True)
    advocate_id: int = Field(foreign_key="advocate.id", index=True)
    weekday: int  # 0 = Monday … 6 = Sunday: the day the window starts
    start_minute: int  # minutes after midnight
    end_minute: int  # at or before start_minute: the window runs past midnight


class Handoff(SQLModel, table=True):
    """Who holds a case, and how far its notifications have escalated."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True, index=True)
    holder_id: int | None = Field(default=None, foreign_key="advocate.id", index=True)
    claimed_at: datetime | None = None
    step: int = Field(default=-1)  # index of the last escalation step taken
    notified: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    escalate_at: datetime | None = Field(default=None, index=True)
    relay_noticed_at: datetime | None = None  # last "new message" SMS to the holder
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    """One line of a case's timeline: opened, notified, escalated, claimed, replied, closed…"""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_kind_at", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=32)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id")
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(EncryptedJSON))


class CaseNote(SQLModel, table=True):
    """A private note on a case, for advocates only: never sent to the family."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    advocate_id: int = Field(foreign_key="advocate.id")
    body: str = Field(sa_column=Column(EncryptedText, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who did what in the inbox. A case reference and an advocate id, never personal data."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id", index=True)
    action: str = Field(max_length=32)
    ref: str | None = Field(default=None, max_length=16, index=True)
    # The advocate an action was about (a new role, new hours), when not a case.
    subject_id: int | None = Field(default=None, foreign_key="advocate.id")
    ip: str | None = Field(default=None, sa_column=Column(EncryptedText))


class LoginAttempt(SQLModel, table=True):
    """A failed login, counted per account and per address to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class Dispatch(SQLModel, table=True):
    """An email or a webhook post to deliver after the transaction that caused it commits."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # email or webhook
    event: str = Field(max_length=32)  # opened, escalated, claimed, closed
    case_id: int = Field(foreign_key="cases.id", index=True)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id")
    step: str | None = Field(default=None, max_length=16)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    error: str | None = Field(default=None, max_length=200)  # never a body or an address
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class AdvocateCommand(SQLModel, table=True):
    """An SMS command from an advocate, kept so a retried webhook is carried out once."""

    __tablename__ = "advocate_command"

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=64, unique=True, index=True)
    advocate_id: int = Field(foreign_key="advocate.id")
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    action: str = Field(max_length=16)
    reply: str = Field(sa_column=Column(EncryptedText, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RetentionCount(SQLModel, table=True):
    """What the purge leaves behind: how many cases and conversations, and nothing else."""

    __tablename__ = "retention_count"
    __table_args__ = (
        UniqueConstraint("period", "what", "language", "channel", "urgent", name="uq_retention"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)  # the month the row was created: "2026-11"
    what: str = Field(max_length=16)  # case or conversation
    language: str = Field(default="", max_length=16)
    channel: str = Field(default="", max_length=16)
    urgent: bool = Field(default=False)
    count: int = Field(default=0)


class DailyCount(SQLModel, table=True):
    """Counts the purge took out of the live tables before erasing them, for `hotline stats`.

    A day, a language, what was counted and a detail (a question, an error code, a channel,
    an urgency and a wait in seconds): never anything about a person.
    """

    __tablename__ = "daily_count"
    __table_args__ = (
        UniqueConstraint("day", "language", "metric", "detail", name="uq_daily_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10, index=True)  # a UTC day: "2026-11-30"
    language: str = Field(default="", max_length=16)
    metric: str = Field(max_length=32)
    detail: str = Field(default="", max_length=64)
    count: int = Field(default=0)
