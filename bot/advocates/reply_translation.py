"""Replies through machine translation: written in the advocate's language, previewed in the
family's, edited and sent, the advocate's own words kept for the transcript. And the
advocate's reading language.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import Session
from werkzeug.wrappers import Response

from ..machine_translation import Translation, Unavailable
from ..machine_translation import cache as translations
from ..storage.advocates import Advocate
from ..storage.db import transaction
from ..storage.models import Case
from . import audit, casework, roster
from .auth import client_address
from .inbox import _act, _case_or_404, _family, _handoff, _me, bp, desk
from .translated import LABEL, Shown, notice, translator


# --------------------------------------------------------------------------- the advocate's setting
@bp.post("/reading-language")
@login_required
def reading_language() -> Response:
    """An advocate picks the language family messages are translated into."""
    code = request.form.get("language", "").strip()
    known = desk().hotline.catalog.locales
    with transaction(desk().hotline.db) as session:
        me = _me(session)
        if code and code not in known:
            flash("There is no such language.", "error")
        else:
            me.reading_language = code or None
            session.add(me)
            audit.record(session, "reading_language", advocate_id=me.id, ip=client_address())
            name = desk().language_name(roster.reading_language(me))
            flash(f"Family messages are translated into {name}.", "ok")
    back = request.form.get("next", "")
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith("/inbox/"):
        back = url_for("inbox.queue")
    return redirect(back)


# --------------------------------------------------------------------------- replies
def _reply_page(ref: str, original: str, body: str | None, *,
                status: int = 200) -> tuple[str, int]:
    """The reply as the advocate wrote it and as the family will get it, both editable."""
    with Session(desk().hotline.db) as session:
        me = _me(session)
        case = _case_or_404(session, ref)
        if not casework.can_view(me, case, _handoff(session, case)):
            abort(403)
        family = _family(session, case)
        reading = roster.reading_language(me)
    target = (family.locale if family else None) or case.language or "en"
    shown = Shown(text=original if body is None else body)
    if body is None and original.strip():
        found = translator().translate(original, reading, target)
        if isinstance(found, Translation):
            shown = Shown(text=found.text, machine=True)
        elif isinstance(found, Unavailable):
            shown.notice = notice(found.reason, reading, target)
    page = render_template(
        "inbox/translate_reply.html", case=case, original=original, shown=shown,
        reading=reading, target=target, name=desk().language_name, machine_label=LABEL,
    )
    return page, status


@bp.post("/cases/<ref>/reply/translate")
@login_required
def translate_reply(ref: str) -> tuple[str, int]:
    """Preview a reply translated into the family's language, to edit before sending."""
    original = request.form.get("original", request.form.get("body", ""))
    return _reply_page(ref, original[: 4 * 1600], None)


@bp.post("/cases/<ref>/reply/translated")
@login_required
def send_translated(ref: str) -> Response | tuple[str, int]:
    """Send the (edited) translation; the advocate's own words stay in the transcript."""
    body = request.form.get("body", "")
    original = request.form.get("original", "").strip()
    refused: list[str] = []

    def send(session: Session, case: Case, me: Advocate, now: datetime) -> None:
        try:
            message_id = casework.reply(session, desk(), case, me, body, now)
        except casework.CaseworkError as exc:
            refused.append(str(exc))
            raise
        if original and original != body.strip() and message_id:
            language = roster.reading_language(me)
            translations.keep_original(session, message_id, language, original[:4000])

    done = _act(ref, "reply", send, "Sent. It is in the transcript below.")
    if refused:
        # Back to the reply page with both texts (the reason flashed above them): nothing the
        # advocate typed is lost.
        return _reply_page(ref, original, body, status=422)
    return done
