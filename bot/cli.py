"""The `hotline` command: the Flask CLI of the app, each command a thin call into the code."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .config import ConfigError, content_dirs


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
    from .conversation import answers
    from .storage.migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(_hotline().db)
    answers.warm_up()
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


# --------------------------------------------------------------------------- locales
@main.group()
def locales() -> None:
    """Translations in locales/: check, stats, new languages, PO/XLIFF exchange."""


@locales.command("check", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print {errors, warnings, messages}.")
@click.option("--messages", "show_messages", is_flag=True,
              help="Also print the length, encoding and SMS segments of every message.")
def locales_check(as_json: bool, show_messages: bool) -> None:
    """Check every locale file; exit 1 when there are errors (CI runs this)."""
    from .translations.check import check_locales

    locales_dir, flows_dir = content_dirs()
    report = check_locales(locales_dir, flows_dir)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for issue in [*report.errors, *report.warnings]:
            click.echo(str(issue))
        for m in report.messages if show_messages else []:
            where = f"{_shown(report.files[m.locale].path)}:{m.line}"
            plural = "segment" if m.segments == 1 else "segments"
            click.echo(f"{where}: {m.key}: {m.segments} {plural}, {m.encoding}, {m.length} chars")
        click.echo(
            f"{len(report.files)} locale files checked: {len(report.errors)} errors, "
            f"{len(report.warnings)} warnings."
        )
    sys.exit(1 if report.errors else 0)


@locales.command("stats", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per locale.")
def locales_stats(as_json: bool) -> None:
    """Completion, stale keys, review status and SMS cost of each language."""
    from .translations.check import check_locales
    from .translations.stats import format_stats, locale_stats

    locales_dir, flows_dir = content_dirs()
    report = check_locales(locales_dir, flows_dir)
    rows = locale_stats(report)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(format_stats(rows))
    if report.errors:
        click.echo(f"{len(report.errors)} errors: run `hotline locales check`.", err=True)


@locales.command("new", with_appcontext=False)
@click.argument("code")
@click.option("--name", help="The language's name in English (default: from the CLDR).")
@click.option("--native", help="The language's name in itself (default: from the CLDR).")
@click.option("--direction", type=click.Choice(["ltr", "rtl"]), help="Writing direction.")
def locales_new(code: str, name: str | None, native: str | None, direction: str | None) -> None:
    """Start locales/CODE.yaml with every key in English, none marked translated."""
    from .translations.exchange import ExchangeError, valid_code
    from .translations.writer import WriterError, new_locale

    locales_dir, _ = content_dirs()
    try:
        valid_code(code)
    except ExchangeError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        path, keys = new_locale(locales_dir, code, name=name, native=native, direction=direction)
    except (WriterError, _content_error()) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {_shown(path)}: {keys} keys to translate")
    click.echo(f"Next: translate it, then run `hotline locales stamp {code}` and "
               "`hotline locales check`.")


@locales.command("stamp", with_appcontext=False)
@click.argument("code")
@click.argument("keys", nargs=-1)
def locales_stamp(code: str, keys: tuple[str, ...]) -> None:
    """Record that KEYS of CODE now follow today's English (default: every new translation)."""
    from .translations.writer import stamp_locale

    locales_dir, _ = content_dirs()
    try:
        path, done = stamp_locale(locales_dir, code, list(keys))
    except (ValueError, _content_error()) as exc:
        raise click.ClickException(str(exc)) from None
    listed = f": {', '.join(done)}" if done else ""
    click.echo(f"{_shown(path)}: {len(done)} {'key' if len(done) == 1 else 'keys'} stamped{listed}")


@locales.command("export", with_appcontext=False)
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["po", "xliff"]), default="po",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: print).")
def locales_export(code: str, fmt: str, output: Path | None) -> None:
    """Write a locale as PO or XLIFF for Weblate, Crowdin or Poedit."""
    from .translations.exchange import ExchangeError, export_locale

    locales_dir, _ = content_dirs()
    try:
        data = export_locale(locales_dir, code, fmt)
    except (ExchangeError, _content_error()) as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {_shown(output)}", err=True)


@locales.command("import", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code", help="The locale code, if the file does not say it.")
def locales_import(file: Path, code: str | None) -> None:
    """Write locales/CODE.yaml from a PO or XLIFF file, then check it."""
    from .translations.check import check_locales
    from .translations.exchange import ExchangeError, import_file

    locales_dir, flows_dir = content_dirs()
    try:
        result = import_file(locales_dir, file, code)
    except (ExchangeError, _content_error()) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"wrote {_shown(result.path)}: {result.translated} translated, "
        f"{result.fuzzy} marked for review (fuzzy)"
    )
    if result.skipped:
        click.echo(f"skipped keys English does not have: {', '.join(result.skipped)}")
    report = check_locales(locales_dir, flows_dir, only=[result.code])
    for issue in [*report.errors, *report.warnings]:
        click.echo(str(issue))
    sys.exit(1 if report.errors else 0)


def _content_error() -> type[Exception]:
    from .conversation.yamlfile import ContentError

    return ContentError


def _shown(path: Path) -> str:
    from .translations.source import display_path

    return display_path(path)


# --------------------------------------------------------------------------- advocates
@main.group()
def advocate() -> None:
    """Advocates: who takes cases, and when they are on call."""


def _desk():  # type: ignore[no-untyped-def]
    return current_app.extensions["advocates"]


def _languages(values: tuple[str, ...]) -> list[str]:
    return [code.strip() for value in values for code in value.replace(",", " ").split()]


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
    from .advocates import roster
    from .storage.db import transaction
    from .storage.migrate import upgrade

    try:
        parsed = [w for spec in windows for w in roster.parse_windows(spec)]
        roster.check_contact(phone, email)  # before asking for a password
        password = _read_password(password_stdin) if email else None
        if password is not None:
            roster.check_new_password(password)
        upgrade(_hotline().db)
        with transaction(_hotline().db) as session:
            added = roster.add_advocate(
                session, name=name, phone=phone, email=email, languages=_languages(langs),
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

    from .advocates import roster

    desk = _desk()
    with Session(_hotline().db) as session:
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
    from .advocates import roster

    found = roster.find(session, ident)
    if found is None:
        raise click.UsageError(f"no advocate {ident!r} (give an id, an email or a phone number)")
    return found


@advocate.command("deactivate")
@click.argument("ident")
@with_appcontext
def advocate_deactivate(ident: str) -> None:
    """Stop an advocate's logins, notifications and SMS commands (their history stays)."""
    from .advocates import roster
    from .storage.db import transaction

    with transaction(_hotline().db) as session:
        found = _find_advocate(session, ident)
        roster.deactivate(session, found)
        click.echo(f"advocate {found.id} deactivated")


@advocate.command("on-call")
@click.argument("ident")
@click.argument("windows", nargs=-1)
@click.option("--always", is_flag=True, help="On call at every hour.")
@with_appcontext
def advocate_on_call(ident: str, windows: tuple[str, ...], always: bool) -> None:
    """Set when an advocate is on call: --always, or windows like 'mon-fri 09:00-17:00'."""
    from .advocates import roster
    from .storage.db import transaction

    if always == bool(windows):
        raise click.UsageError("give either --always or one or more windows")
    try:
        parsed = [w for spec in windows for w in roster.parse_windows(spec)]
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    with transaction(_hotline().db) as session:
        found = _find_advocate(session, ident)
        roster.set_windows(session, found, parsed, always_on=always)
        shown = "always" if always else "; ".join(str(w) for w in parsed)
        click.echo(f"advocate {found.id} on call: {shown}")


@advocate.command("password")
@click.argument("ident")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def advocate_password(ident: str, password_stdin: bool) -> None:
    """Set a new password (ends the advocate's open sessions)."""
    from .advocates import roster
    from .storage.db import transaction

    try:
        password_hash = roster.hash_password(_read_password(password_stdin))
    except roster.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    with transaction(_hotline().db) as session:
        found = _find_advocate(session, ident)
        roster.set_password_hash(session, found, password_hash)
        click.echo(f"advocate {found.id}: password changed")


@advocate.command("escalate")
@with_appcontext
def advocate_escalate() -> None:
    """One pass: escalate unclaimed cases whose time is up, send queued emails and webhooks."""
    from .advocates.jobs import run_due

    done = run_due(_desk(), purge_daily=False)
    click.echo(f"escalated {done['escalated']} case(s), sent {done['dispatched']} email/webhook(s)")


@advocate.command("work")
@click.option("--every", default=20.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def advocate_work(every: float) -> None:
    """Run escalation, emails, webhooks and the daily purge until stopped (a worker process)."""
    import signal
    import threading

    from .advocates.jobs import work

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("advocates worker running; Ctrl-C to stop")
    try:
        work(_desk(), stop, every)
    except KeyboardInterrupt:
        stop.set()


# --------------------------------------------------------------------------- retention
@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was erased as JSON.")
@with_appcontext
def purge(as_json: bool) -> None:
    """Erase closed cases and idle conversations older than HOTLINE_RETENTION_DAYS."""
    from .advocates.purge import purge as run_purge
    from .storage.db import transaction

    desk = _desk()
    with transaction(_hotline().db) as session:
        done = run_purge(session, desk.now(), desk.retention).as_dict()
    if as_json:
        click.echo(json.dumps(done))
        return
    days = desk.retention.days
    click.echo(
        f"erased {done['cases']} case(s), {done['conversations']} conversation(s) and "
        f"{done['messages']} older message(s) past {days} days; anonymous counts kept"
    )


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
    # The long-running worker also runs the periodic jobs (escalation, email, daily purge),
    # so one worker process is enough for a deployment.
    periodic = [] if until_empty else [
        start(current_app) for start in current_app.extensions.get("hotline_periodic", [])
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
