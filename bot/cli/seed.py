"""`hotline db seed`: months of traffic in a test database, to measure the hotline at scale."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from .context import current_hotline


@click.command("seed")
@click.option("--messages", type=click.IntRange(min=2), default=1_000_000, show_default=True,
              help="Messages to add, in and out.")
@click.option("--conversations", type=click.IntRange(min=1), default=100_000,
              show_default=True, help="Conversations (and contacts) to add.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def db_seed(messages: int, conversations: int, yes: bool) -> None:
    """Add made-up conversations, messages, cases and outbox rows (for benchmarks only)."""
    from ..seed import seed

    if messages < 2 * conversations:
        raise click.BadParameter("give at least two messages per conversation",
                                 param_hint="--messages")
    if not yes:
        click.confirm("This adds made-up families to the database. Only for a test database. "
                      "Go on?", abort=True)
    started = time.monotonic()

    def progress(report) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"  {report.conversations:,} conversations, {report.messages:,} messages "
                   f"({time.monotonic() - started:.0f}s)")

    report = seed(current_hotline().db, messages=messages, conversations=conversations,
                  progress=progress)
    click.echo(
        f"seeded {report.conversations:,} conversations, {report.messages:,} messages, "
        f"{report.cases:,} cases, {report.outbox:,} outbox rows, {report.hearings:,} hearings, "
        f"{report.alerts:,} alert subscriptions in {time.monotonic() - started:.0f}s"
    )
