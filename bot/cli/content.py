"""The content: `flows check` and the translators' `locales` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from ..config import ConfigError, content_dirs, policy_max_age_days
from .context import current_hotline


@click.group(cls=AppGroup)
def flows() -> None:
    """Conversation flows in flows/."""


@flows.command("check")
@with_appcontext
def flows_check() -> None:
    """Validate flows/*.yaml against the locales (the app already refused to start if not)."""
    flow = current_hotline().engine.flow
    click.echo(f"{flow.path}: {len(flow.states)} states, all valid")


@click.group(cls=AppGroup)
def locales() -> None:
    """Translations in locales/: check, stats, new languages, PO/XLIFF exchange."""


@locales.command("check", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print {errors, warnings, messages}.")
@click.option("--messages", "show_messages", is_flag=True,
              help="Also print the length, encoding and SMS segments of every message.")
def locales_check(as_json: bool, show_messages: bool) -> None:
    """Check every locale file; exit 1 when there are errors (CI runs this)."""
    from ..translations.check import check_locales

    locales_dir, flows_dir = content_dirs()
    try:
        max_age = policy_max_age_days()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    report = check_locales(locales_dir, flows_dir, policy_max_age_days=max_age)
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
    from ..translations.check import check_locales
    from ..translations.stats import format_stats, locale_stats

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
    from ..translations.exchange import ExchangeError, valid_code
    from ..translations.writer import WriterError, new_locale

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
    from ..translations.writer import stamp_locale

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
    from ..translations.exchange import ExchangeError, export_locale

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
    from ..translations.check import check_locales
    from ..translations.exchange import ExchangeError, import_file

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
    from ..conversation.yamlfile import ContentError

    return ContentError


def _shown(path: Path) -> str:
    from ..translations.source import display_path

    return display_path(path)
