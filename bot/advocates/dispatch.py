"""Emails (SMTP_URL) and signed webhook posts (HOTLINE_WEBHOOK_URL) about cases.

Queued as `dispatch` rows in the transaction that caused them, and delivered afterwards by the
periodic job, so a slow mail server never slows down the Twilio webhook. Nothing personal is
stored in the row: the email is written from the case when it is sent.

The webhook carries no personal data either (it usually ends up in a Slack or Teams channel):
event, reference, language, urgency, status, link. It is signed: the header
`X-Hotline-Signature: sha256=<hex>` is the HMAC-SHA256, keyed with HOTLINE_WEBHOOK_SECRET, of
`<X-Hotline-Timestamp>.<raw body>`; receivers should also refuse timestamps more than five
minutes old.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_
from sqlmodel import Session, select

from ..storage.advocates import Advocate, Dispatch
from ..storage.db import transaction
from ..storage.models import Case
from . import roster, texts
from .desk import Desk
from .summary import summarize
from .transcript import case_messages

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
LEASE = timedelta(minutes=5)  # a row being sent is not picked up again before this
TIMEOUT = 10  # seconds, for the mail server and the webhook receiver


def queue(
    session: Session,
    desk: Desk,
    *,
    kind: str,
    event: str,
    case: Case,
    advocate_id: int | None = None,
    step: str | None = None,
) -> Dispatch | None:
    """Queue an email or a webhook post, when that channel is configured."""
    if (kind == "email" and not desk.smtp_url) or (kind == "webhook" and not desk.webhook_url):
        return None
    now = desk.now()
    row = Dispatch(
        kind=kind, event=event, case_id=case.id, advocate_id=advocate_id, step=step,
        next_attempt_at=now, created_at=now,
    )
    session.add(row)
    return row


def deliver_due(desk: Desk, now: datetime, limit: int = 20) -> int:
    """Send what is due; returns how many went out. Each row is leased, then sent, then marked."""
    with transaction(desk.hotline.db) as session:
        rows = session.exec(
            select(Dispatch)
            .where(
                or_(Dispatch.status == "pending", Dispatch.status == "sending"),
                Dispatch.next_attempt_at <= now,
            )
            .order_by(Dispatch.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            session.add(row)
        leased = [(row.id, row.kind) for row in rows]
    sent = 0
    for row_id, kind in leased:
        try:
            if kind == "email":
                _send_email(desk, row_id, now)
            else:
                _post_webhook(desk, row_id, now)
        except (OSError, smtplib.SMTPException, urllib.error.URLError, ValueError) as exc:
            _failed(desk, row_id, now, type(exc).__name__)
            continue
        _done(desk, row_id, now)
        sent += 1
    return sent


def _done(desk: Desk, row_id: int, now: datetime) -> None:
    with transaction(desk.hotline.db) as session:
        row = session.get(Dispatch, row_id)
        if row is not None:
            row.status, row.sent_at, row.error = "sent", now, None
            session.add(row)


def _failed(desk: Desk, row_id: int, now: datetime, error: str) -> None:
    with transaction(desk.hotline.db) as session:
        row = session.get(Dispatch, row_id)
        if row is None:
            return
        row.error = error[:200]
        if row.attempts > len(BACKOFF):
            row.status = "failed"
        else:
            row.status = "pending"
            row.next_attempt_at = now + BACKOFF[row.attempts - 1]
        session.add(row)
        log.warning("dispatch failed id=%s kind=%s attempts=%d", row.id, row.kind, row.attempts)


# --------------------------------------------------------------------------- email
def _send_email(desk: Desk, row_id: int, now: datetime) -> None:
    with transaction(desk.hotline.db) as session:
        row = session.get(Dispatch, row_id)
        case = session.get(Case, row.case_id) if row else None
        advocate = session.get(Advocate, row.advocate_id) if row and row.advocate_id else None
        if row is None or case is None or advocate is None or not advocate.email:
            return  # erased or purged meanwhile: nothing left to say
        hotline = desk.hotline
        messages = case_messages(session, case, inbound_only=True)
        reading = roster.reading_language(advocate)
        summary = summarize(
            case, flow=hotline.engine.flow, catalog=hotline.catalog, reading=reading,
            messages=messages, today=desk.local(now).date(), media_hosts=desk.media_hosts,
            directory=hotline.resources,
        )
        email = EmailMessage()
        email["Subject"] = texts.email_subject(
            case.ref, desk.language_name(case.language), case.urgent, row.event == "escalated"
        )
        email["To"] = advocate.email
        email.set_content(summary.text(desk.link(case.ref)))
    smtp = SmtpUrl(desk.smtp_url)
    email["From"] = smtp.sender
    smtp.send(email)
    log.info("email sent dispatch=%s", row_id)


class SmtpUrl:
    """SMTP_URL: smtp://user:password@host:587 (STARTTLS) or smtps://… (TLS); ?from=address."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587")
        query = urllib.parse.parse_qs(parts.query)
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 587)
        self.user = urllib.parse.unquote(parts.username or "")
        self.password = urllib.parse.unquote(parts.password or "")
        plain = query.get("starttls", ["yes"])[0].lower() in ("no", "0", "false")
        self.starttls = not self.tls and not plain
        default = self.user if "@" in self.user else f"hotline@{self.host}"
        self.sender = query.get("from", [default])[0]

    def send(self, email: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password)
            client.send_message(email)


# --------------------------------------------------------------------------- webhook
def payload(desk: Desk, case: Case, event: str, step: str | None, at: datetime) -> dict:
    """What the webhook says: no names, numbers or words from the family."""
    language = desk.language_name(case.language)
    urgent = ", URGENT" if case.urgent else ""
    headline = {
        "opened": "New case",
        "escalated": "Still unclaimed:",
        "claimed": "Claimed:",
        "closed": "Closed:",
    }.get(event, event)
    return {
        "event": f"case.{event}",
        "ref": case.ref,
        "language": case.language,
        "urgent": case.urgent,
        "kind": case.kind,
        "status": case.status,
        "channel": case.channel,
        "step": step,
        "link": desk.link(case.ref),
        "at": at.isoformat(),
        # Slack and Teams incoming webhooks show "text".
        "text": f"{headline} {case.ref} ({language}{urgent}) {desk.link(case.ref)}",
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _post_webhook(desk: Desk, row_id: int, now: datetime) -> None:
    with transaction(desk.hotline.db) as session:
        row = session.get(Dispatch, row_id)
        case = session.get(Case, row.case_id) if row else None
        if row is None or case is None:
            return
        body = json.dumps(
            payload(desk, case, row.event, row.step, row.created_at), separators=(",", ":")
        ).encode()
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(
        desk.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "hotline-webhook/1",
            "X-Hotline-Timestamp": timestamp,
            "X-Hotline-Signature": sign(desk.webhook_secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise ValueError(f"webhook answered {response.status}")
    log.info("webhook sent dispatch=%s", row_id)
