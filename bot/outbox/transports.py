"""How a message leaves: Outgoing, Accepted, SendError; the console's transport (Twilio's is in
twilio_client.py, loaded only where messages are sent; running.py chooses)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import click

from ..conversation.sms import segment_info


@dataclass(frozen=True)
class Outgoing:
    """One message as handed to a transport: the fields of Twilio's Messages resource."""

    outbox_id: int
    kind: str
    channel: str
    to: str
    body: str | None
    from_: str | None = None
    messaging_service_sid: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None  # JSON
    status_callback: str | None = None


@dataclass(frozen=True)
class Accepted:
    """A transport took the message: Twilio's sid, and our status for it."""

    sid: str | None
    status: str = "sent"


class SendError(Exception):
    """A send that did not go through; `ambiguous` when it may have reached Twilio anyway."""

    def __init__(
        self,
        reason: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.code = code
        self.ambiguous = ambiguous

    @property
    def retryable(self) -> bool:
        """Network trouble, timeouts, 5xx, 429, and 401 (credentials an operator can fix)."""
        status = self.http_status
        return status is None or status >= 500 or status in (401, 429)


class Transport(Protocol):
    needs_sender: bool  # False when nothing is really sent: no number needs configuring

    def send(self, message: Outgoing) -> Accepted: ...

    def find(self, message: Outgoing, since: datetime) -> list[str]: ...

    def erase(self, sid: str) -> str: ...


class ConsoleTransport:
    """Development without a Twilio account: say what would be sent, send nothing."""

    needs_sender = False

    def __init__(self, echo: Callable[[str], None] = click.echo, show_bodies: bool = False):
        self.echo = echo
        self.show_bodies = show_bodies

    def send(self, message: Outgoing) -> Accepted:
        if message.body:
            info = segment_info(message.body, smart_encoding=False)
            size = f"{info.segments} segment{'s' if info.segments != 1 else ''}, {info.encoding}"
        else:
            size = "template"
        line = (
            f"[outbox] would send message {message.outbox_id} ({message.kind}, "
            f"{message.channel}, {size}): no Twilio account is configured"
        )
        if self.show_bodies:
            line += f"\n         to {message.to}: {message.body or message.content_sid}"
        self.echo(line)
        return Accepted(None, "console")

    def find(self, message: Outgoing, since: datetime) -> list[str]:
        return []

    def erase(self, sid: str) -> str:
        self.echo(f"[outbox] would erase message {sid} and its media at Twilio: "
                  "no Twilio account is configured")
        return "console"

