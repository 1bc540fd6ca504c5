"""Twilio in: check the signature, parse the form into an InboundMessage, answer in TwiML."""

from __future__ import annotations

import hmac
import logging
import re
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from .metrics import counted, note_result
from .outbox import record_status
from .security import NUL, nul_allowed
from .service import InboundMessage
from .storage.db import ping

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__)
MAX_MEDIA = 10  # Twilio sends at most 10 MediaUrl{N} per message
ADDRESS = re.compile(r"^(whatsapp:|messenger:)?\+?[0-9A-Za-z\- ().]{2,40}$")


def hotline():  # type: ignore[no-untyped-def]
    return current_app.extensions["hotline"]


def signed_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path when set, else the URL as proxied."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def require_twilio_signature() -> None:
    """Refuse (403) any request not signed with TWILIO_AUTH_TOKEN, whenever a token is set."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        # Only development gets here: production refuses to start without a token.
        return
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(token)
    url = signed_url()
    try:
        # The exact URL first (one HMAC); validate() also tries the URL with and without
        # an explicit port, as Twilio's signing is inconsistent about ports.
        valid = bool(signature) and (
            hmac.compare_digest(validator.compute_signature(url, request.form), signature)
            or validator.validate(url, request.form, signature)
        )
    except (UnicodeError, ValueError):
        valid = False
    if not valid:
        log.warning("rejected request with a missing or bad Twilio signature path=%s", request.path)
        abort(403)


TWIML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(replies: list[str]) -> Response:
    """The replies as TwiML: a <Response> of <Message>s.

    Written out rather than built with twilio's MessagingResponse, which makes the same bytes
    through ElementTree for a twentieth of the webhook's time; tests/test_webhook.py holds the
    two equal for text that needs escaping.
    """
    if not replies:
        return Response(TWIML_HEAD + "<Response />", mimetype="text/xml")
    messages = "".join(f"<Message>{escape(t)}</Message>" if t else "<Message />" for t in replies)
    return Response(f"{TWIML_HEAD}<Response>{messages}</Response>", mimetype="text/xml")


def parse_inbound() -> InboundMessage:
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()
    sender = (form.get("From") or "").strip()
    if not sid or len(sid) > 64:
        abort(400, "MessageSid is missing or malformed")
    if not sender or not ADDRESS.match(sender):
        abort(400, "From is missing or malformed")
    try:
        count = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    media = tuple(
        url for n in range(max(count, 0)) if (url := (form.get(f"MediaUrl{n}") or "").strip())
    )
    return InboundMessage(
        sid=sid,
        sender=sender,
        # A NUL byte is no character anyone meant to send: the message is kept without it.
        body=form.get("Body", "").replace(NUL, ""),
        media=media,
        to=form.get("To"),
    )


@bp.post("/twilio/messages")
@nul_allowed("Body", "ProfileName")  # free text a person typed: never refuse the message
@counted  # operators' metrics, when on
def messages() -> Response:
    require_twilio_signature()
    inbound = parse_inbound()
    result = hotline().handle_inbound(inbound)
    note_result(result)
    return twiml(result.replies)


@bp.post("/twilio/status")
def status() -> tuple[str, int]:
    """Delivery status of a message we sent: duplicates and any order are fine."""
    require_twilio_signature()
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    state = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip()
    if not sid or len(sid) > 64 or not state or len(state) > 32:
        abort(400, "MessageSid or MessageStatus is missing or malformed")
    try:
        code = int(form.get("ErrorCode") or 0) or None
    except ValueError:
        code = None
    settings = current_app.config["HOTLINE_SETTINGS"]
    try:
        outcome = record_status(
            hotline().db,
            sid=sid,
            status=state,
            error_code=code,
            template_sid=settings.twilio_whatsapp_template_sid or None,
        )
    except OperationalError:
        log.warning("status callback: database unavailable")
        return "", 503
    except Exception:
        # A status is news, not a message: never answer Twilio with a 500 for one.
        log.exception("status callback could not be applied")
        return "", 200
    if outcome == "unknown":
        log.info("status callback for an unknown message ignored")
    return "", 200


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    ok = ping(hotline().db)
    return jsonify({"ok": ok}), 200 if ok else 503
