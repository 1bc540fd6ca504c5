"""The casework: `cases list`, the `advocate` commands and the retention `purge`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup, with_appcontext

from .context import current_desk, current_hotline

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..storage.advocates import Advocate


# --------------------------------------------------------------------------- cases
@click.group(cls=AppGroup)
def cases() -> None:
    """Cases opened by families."""


@cases.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--full", is_flag=True, help="Include personal data (answers, media).")
@with_appcontext
def cases_list(as_json: bool, full: bool) -> None:
    """List cases, newest first (no personal data unless --full)."""
    from ..cases import list_cases

    rows = list_cases(current_hotline().db, full=full)
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


# --------------------------------------------------------------------------- advocates
@click.group(cls=AppGroup)
def advocate() -> None:
    """Advocates: who takes cases, and when they are on call."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@advocate.command("add")
@click.option("--name", required=True, help="How the inbox shows this advocate.")
@click.option("--phone", required=True, help="Their mobile number, like +12125550100.")
@click.option("--email", default=None, help="Their login for the inbox (and summary emails).")
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="A language they speak (repeat, or comma-separate), preferred first.")
@click.option("--role", type=click.Choice(["advocate", "admin"]), default="advocate",
              show_default=True)
@click.option("--on-call", "windows", multiple=True, metavar="WINDOW",
              help="A weekly window like 'mon-fri 09:00-17:00' (repeat). Default: always on.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def advocate_add(
    name: str, phone: str, email: str | None, langs: tuple[str, ...], role: str,
    windows: tuple[str, ...], password_stdin: bool,
) -> None:
    """Add an advocate (asks for a password when they have an email to log in with)."""
    from ..advocates import roster
    from ..storage.db import transaction
    from ..storage.migrate import upgrade

    try:
        parsed = [w for spec in windows for w in roster.parse_windows(spec)]
        roster.check_contact(phone, email)  # before asking for a password
        password = _read_password(password_stdin) if email else None
        if password is not None:
            roster.check_new_password(password)
        upgrade(current_hotline().db)
        with transaction(current_hotline().db) as session:
            added = roster.add_advocate(
                session, name=name, phone=phone, email=email, languages=list(langs),
                role=role, password=password, windows=parsed,
            )
            advocate_id = added.id
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"advocate {advocate_id} added ({role})")


@advocate.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@with_appcontext
def advocate_list(as_json: bool) -> None:
    """List advocates: role, languages, on-call hours, and who is on call now."""
    from sqlmodel import Session

    from ..advocates import roster

    desk = current_desk()
    with Session(current_hotline().db) as session:
        rows = roster.listing(session, desk.local(desk.now()))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no advocates: add one with hotline advocate add")
    for row in rows:
        hours = row["hours"] if isinstance(row["hours"], str) else "; ".join(row["hours"])
        state = "on call" if row["on_call_now"] else ("off" if row["active"] else "inactive")
        click.echo(
            f"{row['id']:>3}  {row['name']:<24} {row['role']:<8} "
            f"{','.join(row['languages']) or '-':<10} {state:<8} {hours}"
        )


def _find_advocate(session, ident: str):  # type: ignore[no-untyped-def]
    from ..advocates import roster

    found = roster.find(session, ident)
    if found is None:
        raise click.UsageError(f"no advocate {ident!r} (give an id, an email or a phone number)")
    return found


def _change(ident: str, work: Callable[[Session, Advocate], object]) -> int:
    """Find an advocate by id, email or phone and change them in one transaction."""
    from ..storage.db import transaction

    with transaction(current_hotline().db) as session:
        found = _find_advocate(session, ident)
        work(session, found)
        return found.id


@advocate.command("deactivate")
@click.argument("ident")
@with_appcontext
def advocate_deactivate(ident: str) -> None:
    """Stop an advocate's logins, notifications and SMS commands (their history stays)."""
    from ..advocates import roster

    click.echo(f"advocate {_change(ident, roster.deactivate)} deactivated")


@advocate.command("sessions-end")
@click.argument("ident")
@with_appcontext
def advocate_sessions_end(ident: str) -> None:
    """Log an advocate out of the inbox on every device (a lost phone, a shared computer)."""
    from ..advocates import audit, roster

    def end(session: Session, found: Advocate) -> None:
        roster.end_sessions(session, found)
        audit.record(session, "sessions_ended", advocate_id=None, subject_id=found.id)

    click.echo(f"advocate {_change(ident, end)}: every inbox session ended")


@advocate.command("role")
@click.argument("ident")
@click.argument("role", type=click.Choice(["advocate", "admin"]))
@with_appcontext
def advocate_role(ident: str, role: str) -> None:
    """Make an advocate an admin or a plain advocate (ends their open sessions)."""
    changed = _staff(ident, role=role)
    click.echo(f"advocate {changed} is now {role}")


@advocate.command("languages")
@click.argument("ident")
@click.argument("codes", nargs=-1, required=True)
@with_appcontext
def advocate_languages(ident: str, codes: tuple[str, ...]) -> None:
    """Set the languages an advocate reads and speaks, preferred first (e.g. es en)."""
    from ..advocates import roster

    try:
        languages = roster.parse_languages(list(codes))
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    changed = _staff(ident, languages=languages)
    click.echo(f"advocate {changed} speaks: {', '.join(languages)}")


@advocate.command("on-call")
@click.argument("ident")
@click.argument("windows", nargs=-1)
@click.option("--always", is_flag=True, help="On call at every hour.")
@with_appcontext
def advocate_on_call(ident: str, windows: tuple[str, ...], always: bool) -> None:
    """Set when an advocate is on call: --always, or windows like 'mon-fri 09:00-17:00'."""
    from ..advocates import roster, staffing

    try:
        hours = staffing.Hours.parse(list(windows), always=always)
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    changed = _staff(ident, hours=hours)
    click.echo(f"advocate {changed} on call: {hours}")


def _staff(ident: str, **changes: object) -> int:
    """Change an advocate's languages, role or hours as the inbox does: checked and audited."""
    from ..advocates import roster, staffing

    def work(session: Session, found: Advocate) -> None:
        staffing.change(session, found, **changes)  # type: ignore[arg-type]

    try:
        return _change(ident, work)
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None


@advocate.command("password")
@click.argument("ident")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def advocate_password(ident: str, password_stdin: bool) -> None:
    """Set a new password (ends the advocate's open sessions)."""
    from ..advocates import roster
    from ..storage.db import transaction

    try:
        password_hash = roster.hash_password(_read_password(password_stdin))
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    with transaction(current_hotline().db) as session:
        found = _find_advocate(session, ident)
        roster.set_password_hash(session, found, password_hash)
        click.echo(f"advocate {found.id}: password changed")


@advocate.command("escalate")
@with_appcontext
def advocate_escalate() -> None:
    """One pass: escalate unclaimed cases whose time is up, send queued emails and webhooks."""
    from ..advocates.jobs import run_due

    done = run_due(current_desk(), purge_daily=False)
    click.echo(f"escalated {done['escalated']} case(s), sent {done['dispatched']} email/webhook(s)")


@advocate.command("work")
@click.option("--every", default=20.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def advocate_work(every: float) -> None:
    """Run escalation, emails, webhooks and the daily purge until stopped (a worker process)."""
    import signal
    import threading

    from ..advocates.jobs import work

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("advocates worker running; Ctrl-C to stop")
    try:
        work(current_desk(), stop, every)
    except KeyboardInterrupt:
        stop.set()


# --------------------------------------------------------------------------- retention
@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was erased as JSON.")
@with_appcontext
def purge(as_json: bool) -> None:
    """Erase closed cases and idle conversations older than HOTLINE_RETENTION_DAYS."""
    from ..advocates.counts import Counting
    from ..advocates.purge import purge as run_purge
    from ..storage.db import checkpoint, transaction

    desk = current_desk()
    with transaction(current_hotline().db) as session:
        done = run_purge(
            session, desk.now(), desk.retention, Counting.of(desk.hotline.engine)
        ).as_dict()
    checkpoint(current_hotline().db)
    if as_json:
        click.echo(json.dumps(done))
        return
    days = desk.retention.days
    click.echo(
        f"erased {done['cases']} case(s), {done['conversations']} conversation(s) and "
        f"{done['messages']} older message(s) past {days} days; anonymous counts kept"
    )
