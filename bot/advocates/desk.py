"""The advocates' desk: the settings and clock every part of the handoff shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..config import TWILIO_MEDIA_HOSTS
from ..hearings.schedule import ReminderPlan
from ..storage.clock import aware, utcnow
from ..storage.models import Case

if TYPE_CHECKING:
    from ..config import Settings
    from ..service import Hotline


@dataclass
class Desk:
    """What notifications, escalation, case work and purge need to know; one per app."""

    hotline: Hotline
    base_url: str = ""
    escalate_after: timedelta = timedelta(minutes=10)
    escalate_urgent_after: timedelta = timedelta(minutes=3)
    smtp_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    retention: timedelta = timedelta(days=90)
    media_hosts: tuple[str, ...] = TWILIO_MEDIA_HOSTS  # files shown as links (HOTLINE_MEDIA_HOSTS)
    segment_price: float = 0.0083  # USD per SMS segment, for the stats' estimate
    hearings: ReminderPlan = field(default_factory=ReminderPlan)  # HOTLINE_HEARING_REMINDERS…
    # Tests replace the clock to move time forward without waiting.
    clock: Callable[[], datetime] = utcnow
    last_purge: datetime | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, hotline: Hotline, settings: Settings) -> Desk:
        return cls(
            hotline=hotline,
            base_url=settings.public_base_url,
            escalate_after=timedelta(minutes=settings.escalate_minutes),
            escalate_urgent_after=timedelta(minutes=settings.escalate_urgent_minutes),
            smtp_url=settings.smtp_url,
            webhook_url=settings.webhook_url,
            webhook_secret=settings.webhook_secret,
            retention=timedelta(days=settings.retention_days),
            media_hosts=tuple(settings.media_hosts),
            segment_price=settings.sms_segment_price,
            hearings=ReminderPlan.from_settings(settings),
        )

    def now(self) -> datetime:
        return self.clock()

    def link(self, ref: str) -> str:
        """The case page, as sent in SMS and emails."""
        return f"{self.base_url}/inbox/cases/{ref}"

    def local(self, moment: datetime) -> datetime:
        """A moment in the hotline's time zone, where on-call windows are written."""
        return aware(moment).astimezone(self.hotline.timezone)  # type: ignore[arg-type]

    def interval(self, case: Case) -> timedelta:
        """How long a case may wait unclaimed before the next people are told."""
        return self.escalate_urgent_after if case.urgent else self.escalate_after

    def language_name(self, code: str | None) -> str:
        """The English name of a conversation language, as the inbox and SMS show it."""
        locale = self.hotline.catalog.locales.get(code or "en")
        return locale.name if locale else (code or "?")
