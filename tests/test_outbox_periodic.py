"""`hotline outbox work` runs the periodic jobs (broadcasts, escalation, purge) in threads."""

from __future__ import annotations

import os
import signal
import threading

from bot.advocates import broadcast_views
from tests.utils.cli import run_cli


def test_the_worker_s_periodic_jobs_run_outside_the_command(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The broadcast job looks at the app from its own thread: it must be given the app itself,
    not Flask's `current_app`, which is empty outside the command."""
    answers: list[object] = []

    def start(given):  # type: ignore[no-untyped-def]
        def look() -> None:
            try:
                answers.append(broadcast_views.advance(given))
            except Exception as error:  # what the job's loop would log, every few seconds
                answers.append(error)
            os.kill(os.getpid(), signal.SIGTERM)  # the worker stops cleanly on SIGTERM

        threading.Thread(target=look).start()
        return threading.Event()

    monkeypatch.setitem(app.extensions, "hotline_periodic", [start])
    result = run_cli(app, ["outbox", "work"])
    assert result.exit_code == 0, result.output
    assert answers == [0]  # no broadcast was due, and the look itself worked
