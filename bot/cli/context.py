"""What the commands work with: the app's hotline and the advocates' desk."""

from __future__ import annotations

from flask import current_app


def current_hotline():  # type: ignore[no-untyped-def]
    return current_app.extensions["hotline"]


def current_desk():  # type: ignore[no-untyped-def]
    return current_app.extensions["advocates"]
