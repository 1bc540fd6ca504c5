"""Run `hotline` commands against a test app, as an operator would type them."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner, Result
from flask.cli import ScriptInfo

from bot.cli import main


def run_cli(app: Any, args: list[str], input: str | None = None) -> Result:
    """`hotline ARGS` with this app (instead of one built from the environment)."""
    info = ScriptInfo(create_app=lambda: app)
    return CliRunner().invoke(main, args, obj=info, input=input, catch_exceptions=False)
