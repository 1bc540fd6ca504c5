"""`hotline stats`: the numbers for organizers, as text or JSON (counts only)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from .context import current_desk, current_hotline


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366),
              help="How many days back, today included (UTC days).")
@with_appcontext
def stats(as_json: bool, days: int) -> None:
    """First texts to closed cases, where families stop, time to claim, SMS cost, failures."""
    from sqlmodel import Session

    from ..advocates.stats import report

    with Session(current_hotline().db) as session:
        numbers = report(session, current_desk(), days)
    if as_json:
        click.echo(json.dumps(numbers, indent=2))
        return
    for line in _lines(numbers):
        click.echo(line)


def _lines(r: dict) -> list[str]:
    from ..advocates.charts import STEP_NAMES

    out = [f"From {r['from']} to {r['to']} (UTC days)", ""]
    out += [f"  {STEP_NAMES[step]:<16} {r['funnel']['totals'][step]:>7}"
            for step in r["funnel"]["steps"]]
    out += ["", "Where families stop answering:"]
    out += [f"  {row['label'][:40]:<40} {row['count']:>5}" for row in r["stopped"] if row["count"]]
    out += ["", "Time to claim (minutes): urgency, language, claimed, median, 90th pct, escalation"]
    out += [
        f"  {row['urgency']:<7} {row['language'] or 'all':<5} {row['claimed']:>5} "
        f"{row['median_minutes']:>7} {row['p90_minutes']:>7} {row['escalation_minutes']:>7}"
        for row in r["time_to_claim"]
    ]
    m = r["messages"]
    out += ["", f"Messages sent (estimate at ${m['segment_price']} per SMS segment):"]
    out += [
        f"  {row['language'] or 'none':<6} {row['channel']:<9} {row['messages']:>6} messages "
        f"{row['segments']:>6} segments  ${row['cost']:.2f}"
        for row in m["rows"]
    ]
    out += [f"  total {m['messages']} messages, {m['segments']} segments, ${m['cost']:.2f}"]
    out += ["", "Not delivered:"]
    out += [
        f"  {row['code'] or '—':<6} {row['count']:>5}  {row['reason']}" for row in r["failures"]
    ]
    return out
