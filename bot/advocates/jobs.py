"""The advocates' periodic work: escalate unclaimed cases, send emails and webhooks, purge daily.

`run_due(desk)` does one pass and is safe to call from several processes at once. It runs:
- inside `hotline serve`, in a background thread (development);
- as `hotline advocate work` (a worker process, e.g. a Procfile line), or once per call with
  `hotline advocate escalate`;
- from any other worker loop that imports it (the outbox worker may call it every pass).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from ..storage.db import checkpoint, transaction
from . import dispatch, handoff, purge
from .counts import Counting
from .desk import Desk

log = logging.getLogger(__name__)
EVERY = 20  # seconds between passes: escalation is counted in minutes
PURGE_EVERY = timedelta(days=1)


def run_due(desk: Desk, now: datetime | None = None, *, purge_daily: bool = True) -> dict[str, Any]:
    """One pass of every periodic job; returns what it did."""
    now = now or desk.now()
    with transaction(desk.hotline.db) as session:
        escalated = handoff.escalate_due(session, desk, now)
    sent = dispatch.deliver_due(desk, now)
    done: dict[str, Any] = {"escalated": escalated, "dispatched": sent}
    if purge_daily and (desk.last_purge is None or now - desk.last_purge >= PURGE_EVERY):
        with transaction(desk.hotline.db) as session:
            counting = Counting.of(desk.hotline.engine)
            done["purged"] = purge.purge(session, now, desk.retention, counting).as_dict()
        checkpoint(desk.hotline.db)
        desk.last_purge = now
    return done


def work(desk: Desk, stop: threading.Event, every: float = EVERY) -> None:
    """Run passes until stopped; an error in one pass is logged and the next pass goes on."""
    while not stop.is_set():
        try:
            run_due(desk)
        except Exception:  # a database hiccup must not end the worker
            log.exception("advocates periodic pass failed")
        stop.wait(every)


def start_background(app: Flask) -> threading.Event:
    """For `hotline serve`: the periodic jobs in a daemon thread of the web process."""
    stop = threading.Event()
    desk = app.extensions["advocates"]
    thread = threading.Thread(target=work, args=(desk, stop), name="advocates", daemon=True)
    thread.start()
    return stop
