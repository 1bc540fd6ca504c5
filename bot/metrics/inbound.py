"""The inbound webhook's counters: messages by channel and result, and how long each took.

On the hot path: a label lookup, an increment and a histogram observation (a few
microseconds), and nothing at all when metrics are off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from ..addresses import channel_of

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from sqlalchemy.engine import Engine

    from ..service import InboundResult

F = TypeVar("F", bound=Callable[..., Any])
# What became of a message: answered, a retried duplicate, the family's data erased (DELETE
# or no consent), refused (bad signature), malformed (a form Twilio would not send), error.
REFUSED = {403: "refused", 400: "malformed"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_dir() -> str:
    """Where gunicorn's workers share their counts ("" for one process)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


@dataclass
class InboundMetrics:
    """The webhook's counters, and the registry a scrape reads."""

    messages: Counter
    latency: Histogram
    registry: CollectorRegistry

    @classmethod
    def create(cls, db: Engine) -> InboundMetrics:
        from prometheus_client import CollectorRegistry, Counter, Histogram
        from prometheus_client.multiprocess import MultiProcessCollector

        from .database import DatabaseCollector

        registry = CollectorRegistry()
        shared = multiprocess_dir()
        # In multiprocess mode each worker writes its own file and a scrape sums the files;
        # the metric objects then belong to no registry (they would count once per worker).
        own = None if shared else registry
        if shared:
            MultiProcessCollector(registry, path=shared)
        messages = Counter(
            "hotline_inbound_messages", "Texts received on the webhook, by channel and result.",
            ["channel", "result"], registry=own,
        )
        latency = Histogram(
            "hotline_webhook_duration_seconds",
            "Time to answer Twilio's inbound webhook, signature check to TwiML.",
            buckets=LATENCY_BUCKETS, registry=own,
        )
        registry.register(DatabaseCollector(db))
        return cls(messages, latency, registry)

    def observe(self, channel: str, result: str, seconds: float) -> None:
        self.messages.labels(channel, result).inc()
        self.latency.observe(seconds)


def note_result(result: InboundResult) -> None:
    """Tell the counter what became of this message (the webhook calls it once answered)."""
    g.inbound_result = (
        "duplicate" if result.duplicate else "erased" if result.erased else "answered"
    )


def counted(view: F) -> F:
    """Count the webhook's answers and time them, when metrics are on."""

    @wraps(view)
    def timed(*args: Any, **kwargs: Any) -> Any:
        metrics: InboundMetrics | None = current_app.extensions.get("metrics")
        if metrics is None:
            return view(*args, **kwargs)
        started = perf_counter()
        result = "error"
        try:
            response = view(*args, **kwargs)
            result = g.pop("inbound_result", "answered")
            return response
        except HTTPException as exc:
            result = REFUSED.get(exc.code or 0, "error")
            raise
        finally:
            metrics.observe(_channel(), result, perf_counter() - started)

    return timed  # type: ignore[return-value]


def _channel() -> str:
    try:
        return channel_of(request.form.get("From", ""))
    except HTTPException:  # a form too large to read: the channel is unknown
        return "unknown"
