"""Drive the pure engine like a texter: send text, read the rendered replies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.conversation.engine import Engine, Inbound, Snapshot, StepResult
from bot.conversation.language import detect


class Conversation:
    def __init__(self, flow: Any, catalog: Any, now: datetime, sender: str = "+12125550100"):
        self.engine = Engine(flow, catalog, detect=detect, idle_after=timedelta(hours=24))
        self.catalog = catalog
        self.snapshot = Snapshot()
        self.now = now
        self.sender = sender
        self.last: StepResult | None = None

    @property
    def state(self) -> str | None:
        return self.snapshot.state

    @property
    def answers(self) -> dict[str, Any]:
        return self.snapshot.answers

    def send(self, text: str, media: tuple[str, ...] = (), channel: str = "sms") -> str:
        """Send one text; returns the replies rendered as the texter would read them."""
        result = self.engine.step(
            self.snapshot,
            Inbound(text=text, now=self.now, media=media, channel=channel, sender=self.sender),
        )
        self.snapshot = result.snapshot
        self.last = result
        self.now += timedelta(minutes=1)
        parts = self.engine.render(result, {"hotline": "Family Hotline", "ref": "K7F-3QX"})
        return "\n\n".join(parts)

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.last.replies] if self.last else []

    @property
    def effects(self) -> list[str]:
        return [e.kind for e in self.last.effects] if self.last else []
