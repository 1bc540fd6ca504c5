"""The outbox: `outbox work` (the Procfile's worker) and `outbox list`.

The outbox is reached through the public names of bot.outbox only.
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .context import current_hotline


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """Messages sent outside a TwiML reply: notifications, advocate replies, reminders."""


@outbox_group.command("work")
@click.option("--until-empty", is_flag=True, help="Deliver what is queued, then exit.")
@click.option("--show-bodies", is_flag=True,
              help="Without a Twilio account, print the number and text of each message.")
@with_appcontext
def outbox_work(until_empty: bool, show_bodies: bool) -> None:
    """Deliver queued messages (the Procfile's worker); stops cleanly on SIGTERM."""
    import signal

    from ..outbox import worker_for

    worker = worker_for(current_app, show_bodies=show_bodies)

    def stop(signum: int, _frame: object) -> None:
        worker.stop.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    # The long-running worker also runs the periodic jobs (escalation, email, daily purge),
    # so one worker process is enough for a deployment.
    periodic = [] if until_empty else [
        start(current_app._get_current_object())  # type: ignore[attr-defined]
        for start in current_app.extensions.get("hotline_periodic", [])
    ]
    try:
        worker.run(until_empty=until_empty)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for stopper in periodic:
            stopper.set()
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(worker.outcomes.items()))
    click.echo(f"outbox: {counts or 'nothing to send'}")


@outbox_group.command("list")
@click.option("--failed", is_flag=True, help="Only messages that did not go out.")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@with_appcontext
def outbox_list(failed: bool, limit: int, as_json: bool) -> None:
    """Recent outbound messages and their status (no numbers, no text)."""
    from ..outbox import FAILED, listing

    rows = listing(current_hotline().db, FAILED if failed else None, limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no messages")
    for row in rows:
        code = row["error_code"] or ""
        click.echo(
            f"{row['id']:>6}  {row['kind']:<16} {row['channel']:<9} {row['status']:<15} "
            f"tries={row['attempts']:<3} {code:<6} {row['error'] or ''}".rstrip()
        )
