"""`hotline resources check`: the resource directory's mistakes, with file and line."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from ..config import ConfigError, content_dirs, policy_max_age_days, resources_dir


@click.group(cls=AppGroup)
def resources() -> None:
    """The resource directory in resources/ (consulates, national lines, local help)."""


@resources.command("check", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print {errors, warnings, entries}.")
def resources_check(as_json: bool) -> None:
    """Check resources/*.yaml; exit 1 when there are errors (CI runs this)."""
    from ..conversation.i18n import load_catalog
    from ..conversation.yamlfile import ContentError
    from ..resources import load_directory

    try:
        max_age = policy_max_age_days()
        codes = load_catalog(content_dirs()[0]).codes
    except (ConfigError, ContentError) as exc:
        raise click.ClickException(str(exc)) from None
    directory = load_directory(resources_dir(), codes, max_age_days=max_age)
    if as_json:
        report = {
            "errors": [p.as_dict() for p in directory.errors],
            "warnings": [p.as_dict() for p in directory.warnings],
            "entries": [
                {"id": e.id, "kind": e.kind, "file": e.file, "line": e.line,
                 "as_of": e.as_of.isoformat(), "example": e.example}
                for e in directory.entries
            ],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for problem in [*directory.errors, *directory.warnings]:
            click.echo(str(problem))
        click.echo(
            f"{len(directory.entries)} resources checked: {len(directory.errors)} errors, "
            f"{len(directory.warnings)} warnings."
        )
    if directory.errors:
        sys.exit(1)
