"""The hearing forms of the case page (record or change, cancel), and an advocate's own
settings page. Forms carry CSRF tokens; a refusal is shown on the case page, never a 500.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..storage.db import transaction
from . import audit, hearing_actions, inbox
from .auth import client_address
from .hearing_panel import details_from

bp = Blueprint("hearings", __name__, url_prefix="/inbox", template_folder="templates")
bp.register_error_handler(403, inbox.forbidden)
bp.register_error_handler(404, inbox.not_found)


# --------------------------------------------------------------------------- the forms
@bp.post("/cases/<ref>/hearing")
@login_required
def save(ref: str) -> Response:
    desk = inbox.desk()
    return inbox._act(
        ref, "hearing",
        lambda session, case, me, now: hearing_actions.record(
            session, desk, case, me, details_from(request.form, desk), now),
        "Hearing saved. The family was told the date and will get reminders; reminders of an "
        "earlier date were taken back.",
    )


@bp.post("/cases/<ref>/hearing/cancel")
@login_required
def cancel(ref: str) -> Response:
    desk = inbox.desk()
    return inbox._act(
        ref, "hearing_cancel",
        lambda session, case, me, now: hearing_actions.cancel(session, desk, case, me, now),
        "Hearing cancelled. The family was told; its reminders were taken back.",
    )


# --------------------------------------------------------------------------- my settings
@bp.route("/me", methods=["GET", "POST"])
@login_required
def my_settings() -> str | Response:
    """An advocate's own choices: whether families may read their first name (STATUS)."""
    db = inbox.desk().hotline.db
    with transaction(db) as session:
        me = inbox._me(session)
        if request.method == "POST":
            me.share_first_name = request.form.get("share_first_name") == "yes"
            session.add(me)
            audit.record(session, "settings", advocate_id=me.id, ip=client_address())
        first_name = (me.name or "").split()[0] if (me.name or "").strip() else ""
        share = me.share_first_name
    if request.method == "POST":
        flash("Saved.", "ok")
        return redirect(url_for("hearings.my_settings"))
    return render_template("inbox/me.html", share=share, first_name=first_name)
