"""Outbound messages: the queue producers write to, status callbacks, transports, the worker."""

from .policy import Policy, backoff, policy_from_settings
from .queue import (
    enqueue,
    erase_at_twilio,
    failed_for_case,
    listing,
    summary,
    twilio_sids,
    unschedule,
)
from .running import init_app, start_worker_thread, transport_for, worker_for
from .status import (
    ERASE,
    FAILED,
    FAILURE_LISTENERS,
    SCHEDULED,
    STATUS_RANK,
    reason_for,
    record_status,
)
from .transports import (
    Accepted,
    ConsoleTransport,
    Outgoing,
    SendError,
    Transport,
)
from .worker import Worker

__all__ = [
    "enqueue", "erase_at_twilio", "failed_for_case", "listing", "summary", "twilio_sids",
    "unschedule", "SCHEDULED",
    "ERASE", "FAILED", "FAILURE_LISTENERS", "STATUS_RANK", "reason_for", "record_status",
    "Accepted", "ConsoleTransport", "HotlineHttpClient", "Outgoing", "SendError", "Transport",
    "TwilioTransport", "transport_for",
    "Policy", "backoff", "policy_from_settings",
    "Worker", "init_app", "start_worker_thread", "worker_for",
]


def __getattr__(name: str) -> object:
    """Twilio's client and transport, loaded when first asked for (not in web workers)."""
    if name in ("HotlineHttpClient", "TwilioTransport"):
        from . import twilio_client

        return getattr(twilio_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
