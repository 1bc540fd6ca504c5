"""Running the hotline: `serve`, `chat` and `db upgrade`."""

from __future__ import annotations

import logging
import uuid

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .context import current_hotline
from .seed import db_seed


@click.group(cls=AppGroup)
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every migration (safe to run again)."""
    from ..storage.migrate import upgrade

    upgrade(current_hotline().db)
    click.echo("database is up to date")


db.add_command(db_seed)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--show-bodies", is_flag=True,
              help="Without a Twilio account, print the number and text of each message.")
@with_appcontext
def serve(host: str, port: int, show_bodies: bool) -> None:
    """Run the hotline for development: migrations, web server and outbox worker."""
    from ..conversation import dates
    from ..storage.migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(current_hotline().db)
    dates.warm_up()
    app.config["HOTLINE_SHOW_BODIES"] = show_bodies
    for starter in [
        *app.extensions.get("hotline_background", []),
        *app.extensions.get("hotline_periodic", []),
    ]:
        starter(app)
    settings = app.config["HOTLINE_SETTINGS"]
    click.echo(f"Hotline is running: webhook http://{host}:{port}/twilio/messages")
    if not settings.twilio_auth_token:
        click.echo("No TWILIO_AUTH_TOKEN: unsigned requests are accepted (development only).")
    click.echo(f"Advocates' inbox: http://{host}:{port}/inbox")
    click.echo("Try it without a phone: hotline chat")
    # Not app.run(): Flask ignores it inside its own CLI.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command()
@click.option("--lang", default=None, help="Start in this language (a locale code, e.g. es).")
@click.option("--from", "sender", default="+15550100000", show_default=True,
              help="The phone number to text from.")
@with_appcontext
def chat(lang: str | None, sender: str) -> None:
    """Text the hotline from the terminal, through the same path as the webhook."""
    from ..service import InboundMessage
    from ..storage.migrate import upgrade

    hotline = current_hotline()
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
