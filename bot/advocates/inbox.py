"""The advocates' web inbox: the case queue, a case's page, and the actions on it.

Server-rendered, no JavaScript; every form carries a CSRF token; every case view and export
is written to the audit log. The views are thin: the work is in casework.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
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
from sqlalchemy import or_
from sqlmodel import Session, select

from ..outbox import SCHEDULED
from ..security import is_media_url
from ..storage.advocates import Advocate, CaseNote, Handoff
from ..storage.clock import aware
from ..storage.db import transaction
from ..storage.models import Case
from . import audit, casework, hearing_panel, roster, translated
from .auth import client_address
from .desk import Desk
from .summary import file_line, summarize
from .timeline import events_of
from .transcript import case_messages, earlier_cases

bp = Blueprint("inbox", __name__, url_prefix="/inbox", template_folder="templates")
STATUSES = ("open", "new", "claimed", "mine", "closed", "all")
QUEUE_LIMIT = 200


def desk() -> Desk:
    return current_app.extensions["advocates"]


def _me(session: Session) -> Advocate:
    advocate = session.get(Advocate, current_user.advocate_id)
    if advocate is None or not advocate.active:
        abort(403)
    return advocate


def _case_or_404(session: Session, ref: str, *, lock: bool = False) -> Case:
    case = casework.find_case(session, ref, lock=lock)
    if case is None:
        abort(404)
    return case


def _handoff(session: Session, case: Case) -> Handoff | None:
    return session.exec(select(Handoff).where(Handoff.case_id == case.id)).first()


# --------------------------------------------------------------------------- queue
@bp.get("/")
@login_required
def queue() -> str:
    status = request.args.get("status", "open")
    status = status if status in STATUSES else "open"
    language = request.args.get("language", "")
    urgent_only = request.args.get("urgent") == "1"
    now = desk().now()
    with Session(desk().hotline.db) as session:
        me = _me(session)
        query = select(Case, Handoff).join(Handoff, Handoff.case_id == Case.id, isouter=True)
        if status == "open":
            query = query.where(Case.status.in_(("new", "claimed")))
        elif status == "mine":
            query = query.where(Handoff.holder_id == me.id, Case.status == "claimed")
        elif status in ("new", "claimed", "closed"):
            query = query.where(Case.status == status)
        if not me.is_admin:
            # A closed case stays with the advocate who held it.
            query = query.where(or_(Case.status != "closed", Handoff.holder_id == me.id))
        if language:
            query = query.where(Case.language == language)
        if urgent_only:
            query = query.where(Case.urgent == True)  # noqa: E712
        if status == "closed":
            query = query.order_by(Case.closed_at.desc())
        else:
            query = query.order_by(Case.urgent.desc(), Case.created_at, Case.id)
        rows = session.exec(query.limit(QUEUE_LIMIT)).all()
        names = _names(session)
        cases = [
            {
                "ref": case.ref,
                "urgent": case.urgent,
                "status": case.status,
                "kind": case.kind,
                "language": case.language,
                "language_name": desk().language_name(case.language),
                "channel": case.channel,
                "holder": names.get(handoff.holder_id) if handoff and handoff.holder_id else "",
                "mine": bool(handoff and handoff.holder_id == me.id),
                "waiting": _ago(now - aware(case.created_at)),
            }
            for case, handoff in rows
        ]
        languages = sorted(
            {code for code in session.exec(select(Case.language).distinct()).all() if code}
        )
    return render_template(
        "inbox/queue.html",
        cases=cases,
        status=status,
        statuses=STATUSES,
        language=language,
        languages=languages,
        urgent_only=urgent_only,
        language_name=desk().language_name,
    )


# --------------------------------------------------------------------------- a case
@bp.get("/cases/<ref>")
@login_required
def case_page(ref: str) -> str | Response:
    hotline = desk().hotline
    now = desk().now()
    with transaction(hotline.db) as session:
        me = _me(session)
        case = _case_or_404(session, ref)
        if case.ref != ref:
            return redirect(url_for("inbox.case_page", ref=case.ref))
        handoff = _handoff(session, case)
        if not casework.can_view(me, case, handoff):
            abort(403)
        audit.record(session, "view_case", advocate_id=me.id, ref=case.ref, ip=client_address())
        messages = case_messages(session, case)
        names = _names(session)
        reading = roster.reading_language(me)
        summary = summarize(
            case, flow=hotline.engine.flow, catalog=hotline.catalog, reading=reading,
            messages=[m for m in messages if m.created_at <= case.created_at or not case.answers],
            today=desk().local(now).date(), media_hosts=desk().media_hosts,
            directory=hotline.resources,
        )
        family = _family(session, case)
        held = casework.is_held(session, case)
        notes = session.exec(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
        ).all()
        page = {
            "case": case,
            "summary": summary,
            # The intake itself is folded away: what came after the case is what needs an answer.
            # Reminders not yet due are listed with the hearing, not as messages.
            "before": [m for m in messages if m.created_at <= case.created_at],
            "after": [m for m in messages
                      if m.created_at > case.created_at and m.status != SCHEDULED],
            "hearing": hearing_panel.panel(session, desk(), case, now,
                                           prefill=request.args.get("hearing") == "family"),
            "events": events_of(session, case.id),
            "earlier": _earlier(session, case, me),
            "notes": notes,
            "names": names,
            "holder_id": handoff.holder_id if handoff else None,
            "holder": names.get(handoff.holder_id) if handoff and handoff.holder_id else None,
            "mine": bool(handoff and handoff.holder_id == me.id),
            "can_manage": casework.can_manage(me, handoff),
            "held": held,
            "family": family,
            "canned": _canned(case, family.locale if family else None),
            "waiting": _ago(now - aware(case.created_at)),
            "local": lambda moment: desk().local(moment).strftime("%Y-%m-%d %H:%M"),
            "link": desk().link(case.ref),
        }
    # After the transaction: the translation server is never waited for under the write lock.
    page.update(translated.for_case_page(page, reading))
    return render_template("inbox/case.html", **page)


@bp.get("/cases/<ref>/export")
@login_required
def export(ref: str) -> Response:
    """The summary, transcript and notes as a text file, for the holder or an admin."""
    hotline = desk().hotline
    with transaction(hotline.db) as session:
        me = _me(session)
        case = _case_or_404(session, ref)
        handoff = _handoff(session, case)
        if not casework.can_manage(me, handoff):
            abort(403)
        audit.record(session, "export_case", advocate_id=me.id, ref=case.ref, ip=client_address())
        messages = case_messages(session, case)
        summary = summarize(
            case, flow=hotline.engine.flow, catalog=hotline.catalog,
            reading=roster.reading_language(me),
            messages=[m for m in messages if m.created_at <= case.created_at or not case.answers],
            today=desk().local(desk().now()).date(), media_hosts=desk().media_hosts,
        )
        names = _names(session)
        lines = [summary.text(desk().link(case.ref)), "Transcript:"]
        originals = translated.originals_of(session, messages)
        for message in messages:
            when = desk().local(message.created_at).strftime("%Y-%m-%d %H:%M")
            who = "family" if message.direction == "in" else message.author
            lines.append(f"  [{when}] {who} ({message.status}): {message.body or ''}")
            if message.id in originals:
                lines.append(f"      written as (not sent): {originals[message.id]}")
            lines += [
                f"      file: {file_line(url, is_media_url(url, desk().media_hosts))}"
                for url in message.media or []
            ]
        notes = session.exec(select(CaseNote).where(CaseNote.case_id == case.id)).all()
        if notes:
            lines += ["", "Notes:"]
            for note in notes:
                when = desk().local(note.created_at).strftime("%Y-%m-%d %H:%M")
                lines.append(f"  [{when}] {names.get(note.advocate_id, '?')}: {note.body}")
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="case-{case.ref}.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- actions
def _act(ref: str, action: str, work: Callable[[Session, Case, Advocate, datetime], Any],
         done: str) -> Response:
    """Run one case action in one transaction; a refusal is shown on the case page."""
    try:
        with transaction(desk().hotline.db) as session:
            me = _me(session)
            case = _case_or_404(session, ref, lock=True)
            if not casework.can_view(me, case, _handoff(session, case)):
                abort(403)
            work(session, case, me, desk().now())
            audit.record(session, action, advocate_id=me.id, ref=case.ref, ip=client_address())
        flash(done, "ok")
    except casework.CaseworkError as exc:
        flash(str(exc), "error")
    return redirect(url_for("inbox.case_page", ref=casework.normal_ref(ref)))


@bp.post("/cases/<ref>/claim")
@login_required
def claim(ref: str) -> Response:
    return _act(ref, "claim", lambda s, c, me, now: casework.claim(s, desk(), c, me, now),
                "You hold this case. The bot will not answer the family while you do.")


@bp.post("/cases/<ref>/release")
@login_required
def release(ref: str) -> Response:
    return _act(ref, "release", lambda s, c, me, now: casework.release(s, desk(), c, me, now),
                "The case is back in the queue.")


@bp.post("/cases/<ref>/reply")
@login_required
def reply(ref: str) -> Response:
    body = request.form.get("body", "")
    canned = request.form.get("canned", "")
    if canned:
        body = _canned_text(ref, canned)
    return _act(
        ref, "reply", lambda s, c, me, now: casework.reply(s, desk(), c, me, body, now),
        "Sent. It is in the transcript below.",
    )


@bp.post("/cases/<ref>/close")
@login_required
def close(ref: str) -> Response:
    return _act(ref, "close", lambda s, c, me, now: casework.close(s, desk(), c, me, now),
                "The case is closed. The family got the closing message.")


@bp.post("/cases/<ref>/hand-back")
@login_required
def hand_back(ref: str) -> Response:
    return _act(ref, "hand_back", lambda s, c, me, now: casework.hand_back(s, desk(), c, me, now),
                "The bot answers the family again. You still hold the case.")


@bp.post("/cases/<ref>/notes")
@login_required
def add_note(ref: str) -> Response:
    body = request.form.get("body", "")
    return _act(ref, "note", lambda s, c, me, now: casework.add_note(s, c, me, body, now),
                "Note saved.")


# --------------------------------------------------------------------------- admins
@bp.get("/audit")
@login_required
def audit_log() -> str:
    if not current_user.is_admin:
        abort(403)
    ref = request.args.get("ref", "").strip()
    with transaction(desk().hotline.db) as session:
        me = _me(session)
        entries = audit.entries(session, ref=casework.normal_ref(ref) if ref else None)
        names = _names(session)
        audit.record(session, "view_audit", advocate_id=me.id, ip=client_address())
        rows = [
            {
                "at": desk().local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                "who": names.get(entry.advocate_id, "—") if entry.advocate_id else "—",
                "action": entry.action,
                "ref": entry.ref or "",
                "about": names.get(entry.subject_id, "") if entry.subject_id else "",
                "ip": entry.ip or "",
            }
            for entry in entries
        ]
    return render_template("inbox/audit.html", rows=rows, ref=ref)


@bp.get("/advocates")
@login_required
def advocates() -> str:
    if not current_user.is_admin:
        abort(403)
    local = desk().local(desk().now())
    with Session(desk().hotline.db) as session:
        on_call = {a.id for a in roster.on_call(session, local)}
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "role": a.role,
                "languages": ", ".join(a.languages or []),
                "active": a.active,
                "on_call": a.id in on_call,
                "hours": "always" if a.always_on else "; ".join(
                    str(w) for w in roster.windows_of(session, a.id or 0)
                ),
            }
            for a in session.exec(select(Advocate).order_by(Advocate.id)).all()
        ]
    return render_template("inbox/advocates.html", rows=rows)


@bp.post("/advocates/<int:advocate_id>/end-sessions")
@login_required
def end_sessions(advocate_id: int) -> Response:
    """An admin logs an advocate out everywhere (a lost phone, a shared computer)."""
    if not current_user.is_admin:
        abort(403)
    with transaction(desk().hotline.db) as session:
        me = _me(session)
        advocate = session.get(Advocate, advocate_id)
        if advocate is None:
            abort(404)
        roster.end_sessions(session, advocate)
        audit.record(
            session, "sessions_ended", advocate_id=me.id, subject_id=advocate.id,
            ip=client_address(),
        )
        name = advocate.name
    flash(f"Every inbox session of {name} has ended.", "ok")
    return redirect(url_for("inbox.advocates"))


# --------------------------------------------------------------------------- errors
@bp.errorhandler(403)
def forbidden(error: Exception) -> tuple[str, int]:
    message = "Your role does not allow this."
    return render_template("inbox/error.html", title="Not allowed", message=message), 403


@bp.errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    message = "There is no such case (it may have been erased)."
    return render_template("inbox/error.html", title="Not found", message=message), 404


# --------------------------------------------------------------------------- helpers
def _names(session: Session) -> dict[int, str]:
    return {a.id: a.name for a in session.exec(select(Advocate)).all() if a.id is not None}


def _earlier(session: Session, case: Case, me: Advocate) -> list[dict[str, Any]]:
    """The family's earlier cases; a link only to those this advocate may open."""
    return [
        {
            "ref": other.ref,
            "status": other.status,
            "opened": other.created_at,
            "closed": other.closed_at,
            "viewable": casework.can_view(me, other, _handoff(session, other)),
        }
        for other in earlier_cases(session, case)
    ]


def _family(session: Session, case: Case) -> casework.Family | None:
    try:
        return casework.family_of(session, case)
    except casework.CaseworkError:
        return None


def _canned(case: Case, locale: str | None) -> list[dict[str, str]]:
    """Canned replies in the family's language (English until translated)."""
    catalog = desk().hotline.catalog
    params = {"ref": case.ref, "hotline": desk().hotline.hotline_name}
    keys = [k for k in catalog.locales["en"].messages if k.startswith("canned.")]
    return [
        {"id": key.split(".", 1)[1], "text": catalog.render(key, locale or case.language, params)}
        for key in keys
    ]


def _canned_text(ref: str, canned_id: str) -> str:
    with Session(desk().hotline.db) as session:
        case = _case_or_404(session, ref)
        family = _family(session, case)
        for item in _canned(case, family.locale if family else None):
            if item["id"] == canned_id:
                return item["text"]
    return ""


def _ago(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"
