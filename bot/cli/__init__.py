"""The `hotline` command: the Flask CLI of the app, each command a thin call into the code.

One module per area: app (serve, chat, db), content (flows, locales), advocates (cases,
advocate, purge) and outbox.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from ..config import ConfigError
from . import advocates, app, content, outbox, resources, stats


def _create_app() -> Flask:
    from .. import create_app
    from ..conversation.yamlfile import ContentError

    try:
        return create_app()
    except (ConfigError, ContentError) as exc:
        # A clear sentence naming the setting or the file and line, not a traceback.
        click.echo(f"hotline: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Hotline: SMS/WhatsApp help for families after an immigration arrest."""


for command in (
    app.db, app.serve, app.chat,
    advocates.cases, content.flows, content.locales,
    advocates.advocate, advocates.purge,
    outbox.outbox_group, resources.resources, stats.stats,
):
    main.add_command(command)
