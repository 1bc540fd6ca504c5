"""Run `hotline` commands against a test app, as an operator would type them."""

from __future__ import annotations

from typing import Any

from click.testing import Result

from bot.cli import main


def run_cli(app: Any, args: list[str], input: str | None = None) -> Result:
    """`hotline ARGS` with this app (instead of one built from the environment)."""
    return app.test_cli_runner().invoke(main, args, input=input)
