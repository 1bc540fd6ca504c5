"""What the engine takes and gives: a conversation's snapshot, an inbound text, replies, effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Snapshot:
    """Everything the engine remembers about one conversation between two messages."""

    state: str | None = None
    locale: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    last_active: datetime | None = None


@dataclass(frozen=True)
class Inbound:
    """One message from a texter, as the engine sees it."""

    text: str
    now: datetime
    media: tuple[str, ...] = ()
    channel: str = "sms"
    sender: str | None = None


@dataclass(frozen=True)
class Reply:
    """A message part to send back: a locale key, its parameters, and its language when it
    is not the conversation's (the offer of a guessed language is written in that language)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None


@dataclass(frozen=True)
class Effect:
    """Something the world outside the engine must do: open a case, erase data, opt out…"""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepResult:
    snapshot: Snapshot
    replies: list[Reply]
    effects: list[Effect]
