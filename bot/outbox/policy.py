"""How the worker delivers: senders, throttle, retries and leases from the settings; backoff."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sender:
    """One of the hotline's own senders: a number, a WhatsApp number or a Messaging Service."""

    key: str  # what the throttle counts by
    from_: str | None = None
    messaging_service_sid: str | None = None


@dataclass
class Policy:
    """How the worker delivers: senders, throttle, retries, leases (from the settings)."""

    from_number: str = ""
    whatsapp_from: str = ""
    messaging_service_sid: str = ""
    status_callback: str | None = None
    template_sid: str = ""
    template_variables: dict[str, Any] = field(default_factory=dict)
    rate: float = 1.0  # messages per second per sender; 0 = no limit
    max_attempts: int = 10
    timeout: float = 15.0
    lease: float = 60.0
    batch_size: int = 50
    concurrency: int = 1  # messages one worker sends at once when the throttle is off
    backoff_base: float = 5.0
    backoff_cap: float = 600.0
    poll: float = 1.0

    def sender_for(self, channel: str) -> Sender | None:
        """Which of our senders serves a channel: its own number, else the Messaging Service."""
        if channel == "whatsapp" and self.whatsapp_from:
            address = self.whatsapp_from
            if not address.startswith("whatsapp:"):
                address = "whatsapp:" + address
            return Sender(address, from_=address)
        if channel == "sms" and self.from_number:
            return Sender(self.from_number, from_=self.from_number)
        service = self.messaging_service_sid
        if service:
            return Sender(service, messaging_service_sid=service)
        return None

    @property
    def margin(self) -> float:
        """Time a send may take: a claim is not used closer than this to its lease's end."""
        return self.timeout + 2.0

    def claim_size(self) -> int:
        if not self.rate:
            return self.batch_size
        return max(1, min(self.batch_size, int(self.rate * (self.lease - self.margin) / 2)))


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before retry `attempt` (1, 2, …): exponential, capped, with equal jitter."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def policy_from_settings(settings: Any) -> Policy:
    """The worker's policy from the hotline's Settings."""
    base = settings.public_base_url
    return Policy(
        from_number=settings.twilio_from_number,
        whatsapp_from=settings.twilio_whatsapp_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        status_callback=f"{base}/twilio/status" if base else None,
        template_sid=settings.twilio_whatsapp_template_sid,
        template_variables={"1": settings.hotline_name},
        rate=settings.send_rate,
        max_attempts=settings.send_max_attempts,
        timeout=settings.send_timeout,
        lease=settings.outbox_lease,
        concurrency=settings.send_concurrency,
    )
