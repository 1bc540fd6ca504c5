"""`/inbox/stats`: the numbers for organizers, for admins; each chart an SVG beside its table."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlmodel import Session

from ..storage.db import transaction
from . import audit, inbox
from .auth import client_address
from .desk import Desk
from .stats import MAX_DAYS, report

bp = Blueprint("stats", __name__, url_prefix="/inbox/stats", template_folder="templates")
DAY_CHOICES = (7, 30, 90, 365)
DEFAULT_DAYS = 30
CHART_REUSE = 60.0  # seconds a chart may draw the numbers the page has just counted
_recent: dict[int, tuple[float, dict[str, Any]]] = {}
bp.register_error_handler(403, inbox.forbidden)


def _charts():  # type: ignore[no-untyped-def]
    # pygal weighs about 11 MB: loaded by the first stats page, not by every web worker
    # that only answers texts.
    from . import charts

    return charts


def _desk() -> Desk:
    return current_app.extensions["advocates"]


def _days() -> int:
    raw = request.args.get("days", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= MAX_DAYS:
        return int(raw)
    return DEFAULT_DAYS


def _admin() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.get("/")
@login_required
def page() -> str:
    _admin()
    days = _days()
    with transaction(_desk().hotline.db) as session:
        numbers = report(session, _desk(), days)
        audit.record(session, "view_stats", advocate_id=current_user.advocate_id,
                     ip=client_address())
    _recent[days] = (time.monotonic(), numbers)
    return render_template(
        "inbox/stats.html", r=numbers, days=days, day_choices=DAY_CHOICES,
        step_names=_charts().STEP_NAMES, charts=list(_charts().CHARTS),
    )


@bp.get("/<name>.svg")
@login_required
def chart(name: str) -> Response:
    _admin()
    draw = _charts().CHARTS.get(name)
    if draw is None:
        abort(404)
    days = _days()
    counted_at, numbers = _recent.get(days, (0.0, {}))
    if not numbers or time.monotonic() - counted_at > CHART_REUSE:
        with Session(_desk().hotline.db) as session:
            numbers = report(session, _desk(), days)
        _recent[days] = (time.monotonic(), numbers)
    return Response(draw(numbers), mimetype="image/svg+xml")


@bp.errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    return render_template("inbox/error.html", title="Not found", message="No such chart."), 404
