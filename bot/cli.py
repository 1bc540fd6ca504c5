"""The `hotline` command: the Flask CLI of the app, each command a thin call into the code."""

from __future__ import annotations

import json
import logging
import sys
import uuid

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .config import ConfigError


def _create_app() -> Flask:
    from . import create_app
    from .conversation.yamlfile import ContentError

    try:
        return create_app()
    except (ConfigError, ContentError) as exc:
        # A clear sentence naming the setting or the file and line, not a traceback.
        click.echo(f"hotline: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Hotline: SMS/WhatsApp help for families after an immigration arrest."""


def _hotline():  # type: ignore[no-untyped-def]
    return current_app.extensions["hotline"]


# --------------------------------------------------------------------------- database
@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every migration (safe to run again)."""
    from .storage.migrate import upgrade

    upgrade(_hotline().db)
    click.echo("database is up to date")


# --------------------------------------------------------------------------- serving
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--show-bodies", is_flag=True,
              help="Without a Twilio account, print the number and text of each message.")
@with_appcontext
def serve(host: str, port: int, show_bodies: bool) -> None:
    """Run the hotline for development: migrations, web server and outbox worker."""
    from .storage.migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(_hotline().db)
    app.config["HOTLINE_SHOW_BODIES"] = show_bodies
    for starter in app.extensions.get("hotline_background", []):
        starter(app)
    settings = app.config["HOTLINE_SETTINGS"]
    click.echo(f"Hotline is running: webhook http://{host}:{port}/twilio/messages")
    if not settings.twilio_auth_token:
        click.echo("No TWILIO_AUTH_TOKEN: unsigned requests are accepted (development only).")
    click.echo("Try it without a phone: hotline chat")
    app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)


@main.command()
@click.option("--lang", default=None, help="Start in this language (a locale code, e.g. es).")
@click.option("--from", "sender", default="+15550100000", show_default=True,
              help="The phone number to text from.")
@with_appcontext
def chat(lang: str | None, sender: str) -> None:
    """Text the hotline from the terminal, through the same path as the webhook."""
    from .service import InboundMessage
    from .storage.migrate import upgrade

    hotline = _hotline()
    upgrade(hotline.db)
    logging.getLogger().setLevel(logging.WARNING)  # keep the terminal for the conversation
    if lang and lang not in hotline.catalog.locales:
        raise click.BadParameter(f"no locale '{lang}'; have: {', '.join(hotline.catalog.codes)}")

    def send(text: str) -> None:
        result = hotline.handle_inbound(
            InboundMessage(sid=f"CHAT{uuid.uuid4().hex}", sender=sender, body=text)
        )
        for reply in result.replies:
            click.secho(reply, fg="cyan")
            click.echo()

    click.echo("Type a message and press Enter. Ctrl-D to leave.")
    if lang:
        send(lang)
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        send(line)


# --------------------------------------------------------------------------- cases
@main.group()
def cases() -> None:
    """Cases opened by families."""


@cases.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--full", is_flag=True, help="Include personal data (answers, media).")
@with_appcontext
def cases_list(as_json: bool, full: bool) -> None:
    """List cases, newest first (no personal data unless --full)."""
    from .cases import list_cases

    rows = list_cases(_hotline().db, full=full)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no cases")
    for row in rows:
        flag = "URGENT" if row["urgent"] else ""
        click.echo(
            f"{row['ref']}  {row['status']:<8} {row['language']:<8} {row['channel']:<9} "
            f"{row['created_at']}  {flag}"
        )


# --------------------------------------------------------------------------- content
@main.group()
def flows() -> None:
    """Conversation flows in flows/."""


@flows.command("check")
@with_appcontext
def flows_check() -> None:
    """Validate flows/*.yaml against the locales (the app already refused to start if not)."""
    flow = _hotline().engine.flow
    click.echo(f"{flow.path}: {len(flow.states)} states, all valid")


# --------------------------------------------------------------------------- outbox
@main.group("outbox")
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

    from .outbox import worker_for

    worker = worker_for(current_app, show_bodies=show_bodies)

    def stop(signum: int, _frame: object) -> None:
        worker.stop.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.run(until_empty=until_empty)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(worker.outcomes.items()))
    click.echo(f"outbox: {counts or 'nothing to send'}")


@outbox_group.command("list")
@click.option("--failed", is_flag=True, help="Only messages that did not go out.")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@with_appcontext
def outbox_list(failed: bool, limit: int, as_json: bool) -> None:
    """Recent outbound messages and their status (no numbers, no text)."""
    from .outbox import FAILED, listing

    rows = listing(_hotline().db, FAILED if failed else None, limit)
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
