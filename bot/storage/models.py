"""The tables: contacts, conversations, messages and cases. Personal fields are encrypted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .crypto import EncryptedJSON, EncryptedText


class Contact(SQLModel, table=True):
    """A phone number that has texted the hotline, found by its keyed hash."""

    id: int | None = Field(default=None, primary_key=True)
    phone_hash: str = Field(max_length=64, unique=True, index=True)
    phone: str = Field(sa_column=Column(EncryptedText, nullable=False))
    opted_out: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """Where one contact is in the flow: the engine's snapshot, stored between messages."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", unique=True, index=True)
    channel: str = Field(default="sms", max_length=16)
    state: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=16)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(EncryptedJSON))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(EncryptedJSON))
    last_active: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    """One text in or out. Inbound MessageSids are unique: a retried webhook is stored once."""

    __table_args__ = (
        UniqueConstraint("message_sid", name="uq_message_sid"),
        # Replies only: a family's message, half of all, has no in_reply_to to index.
        Index(
            "ix_message_in_reply_to",
            "in_reply_to",
            postgresql_where=text("in_reply_to IS NOT NULL"),
            sqlite_where=text("in_reply_to IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    direction: str = Field(max_length=8)  # "in" or "out"
    channel: str = Field(default="sms", max_length=16)
    author: str = Field(default="family", max_length=16)  # family, bot or advocate
    message_sid: str | None = Field(default=None, max_length=64)
    in_reply_to: int | None = Field(default=None, foreign_key="message.id")
    body: str | None = Field(default=None, sa_column=Column(EncryptedText))
    media: list[str] | None = Field(default=None, sa_column=Column(EncryptedJSON))
    status: str = Field(default="received", max_length=24)
    error_code: int | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    """A family's request for an advocate: from a finished intake or from AGENT."""

    __tablename__ = "cases"  # "case" is an SQL keyword

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True, index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    kind: str = Field(default="intake", max_length=16)  # intake or agent
    status: str = Field(default="new", max_length=16, index=True)  # new, claimed, closed
    urgent: bool = Field(default=False)
    language: str = Field(default="en", max_length=16)
    channel: str = Field(default="sms", max_length=16)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(EncryptedJSON))
    media: list[str] = Field(default_factory=list, sa_column=Column(EncryptedJSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = Field(default=None, index=True)


OPEN = ("new", "claimed")  # a case's statuses until it is closed


class OutboxMessage(SQLModel, table=True):
    """A message to send outside a TwiML reply, written in the transaction that caused it.

    status: pending → sending (claimed by a worker until next_attempt_at) → sent (Twilio took
    it) → delivered / read, or undelivered / failed / needs_template; "console" in development.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # notify, advocate_reply, closing, reminder…
    channel: str = Field(default="sms", max_length=16)
    # A Twilio address: "+1555…" or "whatsapp:+1555…".
    to: str = Field(sa_column=Column(EncryptedText, nullable=False))
    to_hash: str = Field(max_length=64, index=True)  # keyed hash of the bare number
    body: str | None = Field(default=None, sa_column=Column(EncryptedText))
    content_sid: str | None = Field(default=None, max_length=64)
    content_variables: dict[str, Any] | None = Field(
        default=None, sa_column=Column(EncryptedJSON)
    )
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    status: str = Field(default="pending", max_length=24, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    provider_sid: str | None = Field(default=None, max_length=64, unique=True)
    error_code: int | None = None
    error: str | None = Field(default=None, max_length=200)  # never a body or a number
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=64)  # the worker holding it
    # Set when an attempt may have reached Twilio without the answer reaching us (a timeout,
    # a worker that died): the next attempt first looks for the message at Twilio.
    unconfirmed_at: datetime | None = None
    template_fallback: bool = Field(default=False)  # sent as the approved WhatsApp template


class OutboxSender(SQLModel, table=True):
    """When each of the hotline's own senders may send next: the per-sender throttle."""

    __tablename__ = "outbox_sender"

    sender: str = Field(primary_key=True, max_length=80)  # "+1555…", "whatsapp:+1555…", "MG…"
    next_at: datetime = Field(default_factory=utcnow)
