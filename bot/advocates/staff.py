"""Admins edit an advocate's languages, role and weekly on-call hours from the inbox.

The same checks and audit entries as `hotline advocate languages | role | on-call`: the form's
values go through roster.parse_languages, staffing.Hours.parse and staffing.change. A mistake
is shown on the page with what was typed, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlmodel import Session

from ..storage.advocates import ROLES, Advocate
from ..storage.db import transaction
from . import inbox, roster, staffing
from .auth import client_address

bp = Blueprint("staff", __name__, url_prefix="/inbox/advocates")
MAX_FIELD = 2000  # characters in the languages or hours field: a week fits many times over


def _hotline_db():  # type: ignore[no-untyped-def]
    return current_app.extensions["hotline"].db


@bp.before_request
@login_required
def admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.get("/<int:advocate_id>/edit")
def edit(advocate_id: int) -> str:
    with Session(_hotline_db()) as session:
        advocate = _advocate_or_404(session, advocate_id)
        hours = staffing.hours_of(session, advocate)
        form = {
            "languages": ", ".join(advocate.languages or []),
            "role": advocate.role,
            "always": hours.always,
            "windows": "\n".join(str(w) for w in hours.windows),
        }
        return _page(advocate, form)


@bp.post("/<int:advocate_id>/edit")
def save(advocate_id: int) -> Response | tuple[str, int]:
    form = {
        "languages": request.form.get("languages", ""),
        "role": request.form.get("role", ""),
        "always": request.form.get("hours") == "always",
        "windows": request.form.get("windows", ""),
    }
    try:
        if len(form["languages"]) > MAX_FIELD or len(form["windows"]) > MAX_FIELD:
            raise roster.RosterError("that is too long for a list of languages or hours")
        languages = roster.parse_languages([form["languages"]])
        hours = staffing.Hours.parse(form["windows"].splitlines(), always=form["always"])
        with transaction(_hotline_db()) as session:
            advocate = _advocate_or_404(session, advocate_id, lock=True)
            done = staffing.change(
                session, advocate, languages=languages, role=form["role"], hours=hours,
                by=current_user.advocate_id, ip=client_address(),
            )
            name = advocate.name
    except roster.RosterError as exc:
        with Session(_hotline_db()) as session:
            advocate = _advocate_or_404(session, advocate_id)
            return _page(advocate, form, error=str(exc)), 400
    flash(f"Saved: {name}." if done else f"Nothing changed for {name}.", "ok")
    return redirect(url_for("inbox.advocates"))


def _advocate_or_404(session: Session, advocate_id: int, *, lock: bool = False) -> Advocate:
    advocate = session.get(Advocate, advocate_id, with_for_update=lock)
    if advocate is None:
        abort(404)
    return advocate


def _page(advocate: Advocate, form: dict[str, Any], error: str | None = None) -> str:
    timezone = current_app.config["HOTLINE_SETTINGS"].timezone
    return render_template(
        "inbox/advocate_edit.html", advocate=advocate, form=form, error=error, roles=ROLES,
        timezone=timezone,
    )


bp.register_error_handler(403, inbox.forbidden)


@bp.errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    message = "There is no such advocate."
    return render_template("inbox/error.html", title="Not found", message=message), 404
