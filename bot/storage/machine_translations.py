"""Translations of messages, kept so a page view does not ask the translation server twice.

Two kinds of row, one per message and language: a machine translation of a family's message
("machine"), and the words an advocate wrote before their reply was translated for the family
("advocate"). Both are personal text: encrypted like the messages, erased with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .crypto import EncryptedText

MACHINE = "machine"
ADVOCATE = "advocate"


class MessageTranslation(SQLModel, table=True):
    """One message in one other language."""

    __tablename__ = "message_translation"
    __table_args__ = (UniqueConstraint("message_id", "language", name="uq_message_translation"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    language: str = Field(max_length=16)  # the hotline's locale code
    origin: str = Field(default=MACHINE, max_length=16)  # machine or advocate
    body: str = Field(sa_column=Column(EncryptedText, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
