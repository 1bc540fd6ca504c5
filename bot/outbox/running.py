"""Where the worker runs: built from the app's settings, in `hotline serve`'s thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import click

from .policy import policy_from_settings
from .transports import ConsoleTransport, Transport
from .worker import Worker

log = logging.getLogger(__name__)


def worker_for(app: Any, *, show_bodies: bool = False, **kwargs: Any) -> Worker:
    """A worker for this app's settings and database (Twilio, or the console without an account)."""
    settings = app.config["HOTLINE_SETTINGS"]
    transport = transport_for(settings, show_bodies=show_bodies)
    return Worker(app.extensions["hotline"].db, transport, policy_from_settings(settings), **kwargs)


def start_worker_thread(app: Any) -> threading.Thread:
    """`hotline serve`: deliver the outbox from a daemon thread of the development server."""
    worker = worker_for(app, show_bodies=bool(app.config.get("HOTLINE_SHOW_BODIES")))
    app.extensions["hotline_outbox_worker"] = worker

    def run() -> None:
        while not worker.stop.is_set():
            try:
                worker.run()
            except Exception:
                log.exception("outbox worker stopped on an error; restarting in 5 s")
                worker.stop.wait(5)

    thread = threading.Thread(target=run, name="outbox-worker", daemon=True)
    thread.start()
    return thread


def init_app(app: Any) -> None:
    """Run the worker inside `hotline serve` (development); production runs `outbox work`."""
    app.extensions.setdefault("hotline_background", []).append(start_worker_thread)
    # urllib3 logs request URLs at DEBUG, and a lookup's URL holds the recipient's number.
    logging.getLogger("urllib3").setLevel(logging.INFO)


def transport_for(
    settings: Any, *, echo: Callable[[str], None] = click.echo, show_bodies: bool = False
) -> Transport:
    """Twilio when an account is configured, else the console."""
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from twilio.rest import Client

        from .twilio_client import HotlineHttpClient, TwilioTransport

        http = HotlineHttpClient(settings.twilio_api_base_url, timeout=settings.send_timeout,
                                 connections=settings.send_concurrency)
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        return TwilioTransport(client)
    return ConsoleTransport(echo=echo, show_bodies=show_bodies)
