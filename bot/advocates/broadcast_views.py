"""The inbox's broadcast pages (admins only): write, estimate, confirm, send, follow, stop.

Server-rendered like the rest of the inbox; every send and stop is in the audit log.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Flask,
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

from ..storage.alerts import Broadcast
from ..storage.db import transaction
from . import audit, broadcasts
from .auth import client_address
from .desk import Desk

log = logging.getLogger(__name__)
bp = Blueprint("broadcasts", __name__, url_prefix="/inbox/broadcasts",
               template_folder="templates")
EVERY = 5.0  # seconds between two looks for a broadcast's next batch


def desk() -> Desk:
    return current_app.extensions["advocates"]


def _settings() -> Any:
    return current_app.config["HOTLINE_SETTINGS"]


@bp.before_request
@login_required
def admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _ref(broadcast_id: int | None) -> str:
    return f"broadcast-{broadcast_id}"  # how the audit log names a broadcast


def _names() -> dict[str, str]:
    return {code: locale.name for code, locale in desk().hotline.catalog.locales.items()}


# --------------------------------------------------------------------------- pages
@bp.get("/")
def index() -> str:
    with Session(desk().hotline.db) as session:
        rows = [broadcasts.as_dict(b, broadcasts.progress(session, b.id))  # type: ignore[arg-type]
                for b in broadcasts.recent(session)]
    return render_template("inbox/broadcasts.html", rows=rows, names=_names(),
                           local=_local)


@bp.get("/new")
def new() -> str:
    with Session(desk().hotline.db) as session:
        subscribed = broadcasts.subscriber_languages(session)
    return Draft(chosen=subscribed, texts={}, regions="").page()


@bp.post("/preview")
def preview() -> str | tuple[str, int]:
    """The audience, each language's segments and the estimated cost, then a confirm button."""
    draft = _draft()
    try:
        texts, regions = draft.checked()
    except broadcasts.BroadcastError as error:
        return draft.refused(error)
    with Session(desk().hotline.db) as session:
        estimate = broadcasts.estimate(session, texts, regions, _settings().sms_segment_price)
    return draft.page(estimate)


@bp.post("/")
def send() -> Response | tuple[str, int]:
    """Confirmed: record the broadcast and queue its first batch; the worker queues the rest."""
    draft = _draft()
    try:
        texts, regions = draft.checked()
        audience = _confirmed_audience()
    except broadcasts.BroadcastError as error:
        return draft.refused(error)
    now = desk().now()
    with transaction(desk().hotline.db) as session:
        broadcast = broadcasts.create(session, advocate_id=current_user.advocate_id,
                                      texts=texts, regions=regions, audience=audience, now=now)
        broadcasts.queue_batch(session, broadcast, now=now,
                               template_sid=_settings().twilio_whatsapp_template_sid)
        audit.record(session, "broadcast_sent", advocate_id=current_user.advocate_id,
                     ref=_ref(broadcast.id), ip=client_address())
        broadcast_id = broadcast.id
    flash("The broadcast is on its way.", "ok")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


@bp.get("/<int:broadcast_id>")
def show(broadcast_id: int) -> str:
    with Session(desk().hotline.db) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            abort(404)
        row = broadcasts.as_dict(broadcast, broadcasts.progress(session, broadcast_id))
        texts = dict(broadcast.texts)
    return render_template("inbox/broadcast.html", b=row, texts=texts, names=_names(),
                           local=_local)


@bp.post("/<int:broadcast_id>/stop")
def stop(broadcast_id: int) -> Response:
    with transaction(desk().hotline.db) as session:
        # Locked: a batch being queued right now finishes first, and is cancelled with the rest.
        broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None:
            abort(404)
        if broadcast.status == "stopped":
            flash("This broadcast was already stopped.", "message")
        else:
            cancelled = broadcasts.stop(session, broadcast, advocate_id=current_user.advocate_id,
                                        now=desk().now())
            audit.record(session, "broadcast_stopped", advocate_id=current_user.advocate_id,
                         ref=_ref(broadcast_id), ip=client_address())
            flash(f"Stopped. {cancelled} messages not yet sent were cancelled.", "ok")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


def _error(title: str, message: str, code: int) -> tuple[str, int]:
    return render_template("inbox/error.html", title=title, message=message), code


bp.register_error_handler(403, lambda _: _error("Not allowed", "Only admins send broadcasts.", 403))
bp.register_error_handler(404, lambda _: _error("Not found", "There is no such broadcast.", 404))


# --------------------------------------------------------------------------- helpers
@dataclass
class Draft:
    """The broadcast form as the admin filled it in."""

    chosen: list[str]
    texts: dict[str, str]
    regions: str

    def checked(self) -> tuple[dict[str, str], list[str]]:
        """The chosen languages' texts and the regions, or BroadcastError saying what to fix."""
        return broadcasts.clean_texts(self.texts, self.chosen), broadcasts.parse_regions(
            self.regions)

    def page(self, estimate: broadcasts.Estimate | None = None) -> str:
        names = _names()
        order = [*self.chosen, *(code for code in names if code not in self.chosen)]
        return render_template(
            "inbox/broadcast_new.html", order=order, chosen=set(self.chosen), texts=self.texts,
            regions=self.regions, estimate=estimate, names=names,
        )

    def refused(self, error: Exception) -> tuple[str, int]:
        flash(str(error), "error")
        return self.page(), 400


def _draft() -> Draft:
    known = desk().hotline.catalog.locales
    chosen = [code for code in request.form.getlist("language") if code in known]
    texts = {code: request.form.get(f"text_{code}", "") for code in known}
    return Draft(chosen, texts, request.form.get("regions", ""))


def _confirmed_audience() -> int:
    """The audience the admin saw on the preview and confirmed."""
    audience = request.form.get("audience", "")
    if not audience.isdigit():
        raise broadcasts.BroadcastError("Preview the audience before sending.")
    return int(audience)


def _local(moment: Any) -> str:
    return desk().local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --------------------------------------------------------------------------- the job
def advance(app: Flask) -> int:
    """One look for broadcasts whose next batch is due (the worker calls it every few seconds)."""
    settings = app.config["HOTLINE_SETTINGS"]
    advocates_desk: Desk = app.extensions["advocates"]
    return broadcasts.advance(advocates_desk.hotline.db, advocates_desk.now(),
                              template_sid=settings.twilio_whatsapp_template_sid)


def start_background(app: Flask) -> threading.Event:
    """Beside the outbox worker and in `hotline serve`: queue broadcasts batch by batch."""
    stop_event = threading.Event()

    def work() -> None:
        while not stop_event.is_set():
            try:
                advance(app)
            except Exception:  # a database hiccup must not end the loop
                log.exception("broadcast batch failed")
            stop_event.wait(EVERY)

    threading.Thread(target=work, name="broadcasts", daemon=True).start()
    return stop_event

