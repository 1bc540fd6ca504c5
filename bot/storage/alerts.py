"""The alerts' tables: who asked for news, and the broadcasts admins sent them.

A subscription names its conversation (the number stays, encrypted, in the contact row: it
is never copied here); its region is a ZIP prefix, encrypted like the answers it came from.
A broadcast's texts are the organization's news, not personal; they are kept as written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .crypto import EncryptedText


class AlertSubscription(SQLModel, table=True):
    """A family that asked for the organization's news: in which language, channel, region."""

    __tablename__ = "alert_subscription"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", unique=True, index=True)
    language: str = Field(default="en", max_length=16)
    channel: str = Field(default="sms", max_length=16)
    region: str | None = Field(default=None, sa_column=Column(EncryptedText))  # "770": a ZIP prefix
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Broadcast(SQLModel, table=True):
    """One piece of news sent to the subscribers: who, when, to whom, and how far it went.

    status: sending (recipients still being queued, in batches) → queued (all queued) →
    stopped (an admin stopped it: what was not yet sent was cancelled).
    """

    id: int | None = Field(default=None, primary_key=True)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    texts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="sending", max_length=16, index=True)
    audience: int = Field(default=0)  # the count the admin confirmed
    cursor: int = Field(default=0)  # the last subscription id looked at
    queued: int = Field(default=0)
    templated: int = Field(default=0)  # WhatsApp outside the window: the approved template
    skipped_opted_out: int = Field(default=0)
    skipped_window: int = Field(default=0)  # WhatsApp outside the window, no template
    cancelled: int = Field(default=0)
    stopped_at: datetime | None = None
    stopped_by: int | None = Field(default=None, foreign_key="advocate.id")
    finished_at: datetime | None = None


class BroadcastDelivery(SQLModel, table=True):
    """Which outbox row carried a broadcast to which conversation (for counts and stopping).

    `outbox_id` is not a foreign key: DELETE erases the outbox rows and these in any order.
    """

    __tablename__ = "broadcast_delivery"

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    outbox_id: int = Field(index=True)
