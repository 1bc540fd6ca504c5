"""Metrics for operators: a Prometheus endpoint, off unless HOTLINE_METRICS_TOKEN is set.

Three sources, chosen so every number is right with any number of gunicorn workers:
- the inbound webhook (messages by channel and result, latency) is counted in process memory
  by prometheus_client, in its multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (as
  gunicorn.conf.py does), so a scrape answered by one worker sums them all (`inbound.py`);
- rare events (escalations sent, logins refused) are running totals in the database,
  written with the event, so workers and machines add to one number (bot/storage/tallies.py);
- the state of things (outbox depth and age, deliveries by status, unclaimed cases) is read
  from the database at scrape time with a few grouped counts (`database.py`).
No label ever carries a phone number, a body, a name or a case reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .inbound import counted, note_result

if TYPE_CHECKING:
    from flask import Flask

    from ..config import Settings

__all__ = ["counted", "init_app", "note_result"]


def init_app(app: Flask, settings: Settings) -> None:
    """Serve /metrics when a token is set; otherwise nothing is counted or served."""
    if not settings.metrics_token:
        return
    from .endpoint import bp
    from .inbound import InboundMetrics

    app.extensions["metrics"] = InboundMetrics.create(app.extensions["hotline"].db)
    app.register_blueprint(bp)
