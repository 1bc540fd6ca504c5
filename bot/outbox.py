"""Outbound messages: queued in the caller's transaction, delivered later by a worker.

Everything the hotline sends outside a TwiML reply goes through here:

* `enqueue()` writes an `outbox` row in the caller's transaction, so a message exists exactly
  when the change that caused it was committed.
* A `Worker` (`hotline outbox work`, or a thread inside `hotline serve`) claims due rows in
  batches (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single write lock elsewhere), sends
  each through a transport (Twilio's REST API, or the console in development), and records the
  answer. Retries back off exponentially with jitter; Twilio's permanent errors end a message
  at once; a per-sender throttle keeps bursts from getting the number filtered.
* `record_status()` applies Twilio's status callbacks (`POST /twilio/status`), never moving a
  message's status backwards.

Delivery is at least once, and at most one extra copy per worker that dies or times out: a
worker holds its rows under a lease (`next_attempt_at` while `status` is "sending") and marks
them sent one by one; a row whose send may have reached Twilio without the answer reaching us
(a timeout, a killed worker) is first looked for at Twilio, by recipient and body, before it
is sent again. Only a message that cannot be found that way (a template, or Twilio's list not
yet showing it) can arrive twice.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import click
import requests
from sqlalchemy import bindparam, delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .addresses import channel_of, phone_of
from .conversation.sms import segment_info
from .erasure import ERASE_HOOKS
from .storage import crypto
from .storage.db import is_postgres, transaction, write_lock
from .storage.models import Case, Contact, Message, OutboxMessage, OutboxSender, aware, utcnow

log = logging.getLogger(__name__)
HOST = socket.gethostname()[:40]
# The worker writes with Core statements on the tables: ORM-enabled bulk UPDATEs cost more
# than the database work itself, once per message.
OUTBOX = OutboxMessage.__table__
TRANSCRIPT = Message.__table__

# --------------------------------------------------------------------------- statuses
WAITING = ("pending", "sending")  # not yet handed to Twilio
# A status only ever moves up this order; equal ranks are all final (the first one stays).
STATUS_RANK = {
    "pending": 0,
    "queued": 0,  # the transcript's word for pending
    "sending": 1,
    "sent": 2,  # Twilio accepted it
    "console": 2,  # development: printed instead of sent
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "needs_template": 3,
    "read": 4,  # WhatsApp read receipt: it was delivered, whatever came before
}
FAILED = ("failed", "undelivered", "needs_template")
# Twilio's MessageStatus in a callback → ours. Earlier stages (queued, sending…) add nothing.
CALLBACK_STATUS = {
    "sent": "sent",
    "delivered": "delivered",
    "partially_delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
    "read": "read",
}

# Twilio error codes with a meaning of their own.
OPTED_OUT = 21610  # the recipient replied STOP
INVALID = (21211, 21614)  # not a valid number; not a mobile number
OUTSIDE_WINDOW = 63016  # WhatsApp: more than 24 hours since the family last wrote
BLOCKED = 63014  # WhatsApp: the recipient blocked the hotline
# What advocates read next to a message that did not go out (never a number or a body).
REASONS = {
    OPTED_OUT: "the recipient has opted out (replied STOP)",
    21211: "not a valid phone number",
    21614: "not a mobile number: it cannot receive texts",
    BLOCKED: "the recipient blocked messages from this WhatsApp number",
    OUTSIDE_WINDOW: "outside WhatsApp's 24-hour window: needs an approved template",
    30003: "unreachable: the phone is off or out of service",
    30004: "blocked by the recipient",
    30005: "unknown number",
    30006: "a landline or an unreachable carrier",
    30007: "filtered by the carrier as spam",
    30008: "not delivered (unknown error)",
}
TEMPLATE_SENT = "outside WhatsApp's 24-hour window: the approved template was sent instead"

# Called inside the transaction that marks a message failed, undelivered or needing a
# template, so the advocates' side can tell someone: (session, outbox row).
FAILURE_LISTENERS: list[Callable[[Session, OutboxMessage], None]] = []


def reason_for(code: int | None, fallback: str = "not delivered") -> str:
    """The advocate-facing reason for a Twilio error code."""
    if code is None:
        return fallback
    return REASONS.get(code, f"{fallback} (Twilio error {code})")


# --------------------------------------------------------------------------- queue
def enqueue(
    session: Session,
    *,
    to: str,
    kind: str,
    body: str | None = None,
    conversation_id: int | None = None,
    case_id: int | None = None,
    author: str = "bot",
    content_sid: str | None = None,
    content_variables: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue one message in the current transaction; it is sent only if the transaction commits.

    `to` is a Twilio address ("+1555…" or "whatsapp:+1555…"); the message goes out on that
    channel. A message to a family (conversation_id given) also appears in their transcript.
    `content_variables` without `content_sid` fill the WhatsApp template used when the
    24-hour window has closed (default: {"1": the hotline's name}).
    """
    now = utcnow()
    channel = channel_of(to)
    message_id = None
    if conversation_id is not None:
        transcript = Message(
            conversation_id=conversation_id,
            direction="out",
            channel=channel,
            author=author,
            body=body,
            status="queued",
            created_at=now,
            updated_at=now,
        )
        session.add(transcript)
        session.flush()
        message_id = transcript.id
    row = OutboxMessage(
        kind=kind,
        channel=channel,
        to=to,
        to_hash=crypto.current().lookup_hash(phone_of(to)),
        body=body,
        content_sid=content_sid,
        content_variables=content_variables,
        conversation_id=conversation_id,
        message_id=message_id,
        case_id=case_id,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def failed_for_case(session: Session, case_id: int) -> list[OutboxMessage]:
    """Messages for or about a case that did not reach their recipient as written, oldest first.

    Failed, undelivered and needing a template, and those replaced by the WhatsApp template;
    `status`, `error_code` and `error` (a reason without numbers or bodies) say why.
    """
    about = OutboxMessage.case_id == case_id
    case = session.get(Case, case_id)
    if case is not None:
        about = or_(about, OutboxMessage.conversation_id == case.conversation_id)
    query = (
        select(OutboxMessage)
        .where(about, or_(OutboxMessage.status.in_(FAILED), OutboxMessage.template_fallback))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(session.exec(query).all())


def _erase(session: Session, conversation_ids: list[int]) -> None:
    """DELETE erases what was queued for or about the family too."""
    messages = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    cases = select(Case.id).where(Case.conversation_id.in_(conversation_ids))
    session.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.conversation_id.in_(conversation_ids),
                OutboxMessage.message_id.in_(messages),
                OutboxMessage.case_id.in_(cases),
            )
        )
    )


ERASE_HOOKS.append(_erase)


_STATEMENTS: dict[tuple[str, bool, tuple[str, ...]], Any] = {}


def _run_update(
    session: Session, table: Any, row_id: int, values: dict[str, Any], holder: str | None = None
) -> Any:
    """UPDATE one row by id (and, given a holder, only while that worker holds it).

    The statement is built once per shape: building and keying it costs more than running it.
    """
    columns = tuple(sorted(values))
    key = (table.name, holder is not None, columns)
    statement = _STATEMENTS.get(key)
    if statement is None:
        where = [table.c.id == bindparam("row_id")]
        if holder is not None:
            where += [table.c.claimed_by == bindparam("holder"), table.c.status == "sending"]
        statement = update(table).where(*where).values(
            {name: bindparam(f"new_{name}") for name in columns}
        )
        _STATEMENTS[key] = statement
    params = {f"new_{name}": values[name] for name in columns}
    params["row_id"] = row_id
    if holder is not None:
        params["holder"] = holder
    return session.connection().execute(statement, params)


def _set_transcript(session: Session, message_id: int | None, **values: Any) -> None:
    if message_id is not None:
        _run_update(session, TRANSCRIPT, message_id, {"updated_at": utcnow(), **values})


def _mark_opted_out(session: Session, address: str) -> None:
    """Twilio says the number replied STOP: never send to it again until it texts START."""
    hashes = crypto.current().lookup_hashes(phone_of(address))
    session.execute(update(Contact).where(Contact.phone_hash.in_(hashes)).values(opted_out=True))


def _tell_advocates(session: Session, row: OutboxMessage) -> None:
    for listener in FAILURE_LISTENERS:
        listener(session, row)


# --------------------------------------------------------------------------- status callbacks
def record_status(
    db: Engine,
    *,
    sid: str,
    status: str,
    error_code: int | None = None,
    template_sid: str | None = None,
) -> str:
    """Apply one Twilio status callback; returns "updated", "ignored" or "unknown".

    Duplicates and any order are fine: a status only moves up STATUS_RANK. WhatsApp's 63016
    (outside the 24-hour window) queues the approved template when one is configured.
    """
    ours = CALLBACK_STATUS.get(status.lower())
    with transaction(db) as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.provider_sid == sid).with_for_update()
        ).first()
        if row is None:
            return "unknown"
        if ours is None:
            return "ignored"
        now = utcnow()
        if ours in ("failed", "undelivered") and error_code == OPTED_OUT:
            _mark_opted_out(session, row.to)
        if (
            ours in ("failed", "undelivered")
            and error_code == OUTSIDE_WINDOW
            and STATUS_RANK[row.status] < STATUS_RANK["delivered"]
        ):
            return _outside_window(session, row, template_sid, now)
        if STATUS_RANK.get(ours, 0) <= STATUS_RANK.get(row.status, 0):
            return "ignored"  # a duplicate, or news older than what we know
        row.status = ours
        row.updated_at = now
        if ours in ("failed", "undelivered"):
            row.error_code = error_code
            row.error = reason_for(error_code)
        session.add(row)
        _set_transcript(
            session,
            row.message_id,
            status=ours,
            **({"error_code": error_code} if ours in FAILED else {}),
        )
        if ours in FAILED:
            _tell_advocates(session, row)
        log.info("outbox status outbox=%s status=%s code=%s", row.id, ours, error_code)
        return "updated"


def _outside_window(
    session: Session, row: OutboxMessage, template_sid: str | None, now: datetime
) -> str:
    """63016 reported after sending: queue the template in its place, or ask for one."""
    row.error_code = OUTSIDE_WINDOW
    row.updated_at = now
    if template_sid and not row.template_fallback:
        # A new message in place of the one WhatsApp refused; callbacks about the old sid no
        # longer match anything.
        row.status = "pending"
        row.provider_sid = None
        row.content_sid = template_sid
        row.template_fallback = True
        row.error = TEMPLATE_SENT
        row.next_attempt_at = now
        session.add(row)
        _set_transcript(session, row.message_id, status="queued", error_code=OUTSIDE_WINDOW)
        log.info("outbox template queued outbox=%s", row.id)
        return "updated"
    row.status = "needs_template"
    row.error = reason_for(OUTSIDE_WINDOW)
    session.add(row)
    _set_transcript(session, row.message_id, status="needs_template", error_code=OUTSIDE_WINDOW)
    _tell_advocates(session, row)
    log.info("outbox needs template outbox=%s", row.id)
    return "updated"


# --------------------------------------------------------------------------- transports
@dataclass(frozen=True)
class Outgoing:
    """One message as handed to a transport: the fields of Twilio's Messages resource."""

    outbox_id: int
    kind: str
    channel: str
    to: str
    body: str | None
    from_: str | None = None
    messaging_service_sid: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None  # JSON
    status_callback: str | None = None


@dataclass(frozen=True)
class Accepted:
    """A transport took the message: Twilio's sid, and our status for it."""

    sid: str | None
    status: str = "sent"


class SendError(Exception):
    """A send that did not go through; `ambiguous` when it may have reached Twilio anyway."""

    def __init__(
        self,
        reason: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.code = code
        self.ambiguous = ambiguous

    @property
    def retryable(self) -> bool:
        """Network trouble, timeouts, 5xx, 429, and 401 (credentials an operator can fix)."""
        status = self.http_status
        return status is None or status >= 500 or status in (401, 429)


class Transport(Protocol):
    def send(self, message: Outgoing) -> Accepted: ...

    def find(self, message: Outgoing, since: datetime) -> list[str]: ...


_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?::\d+)?", re.IGNORECASE)


class HotlineHttpClient(TwilioHttpClient):
    """Twilio's HTTP client with a timeout, quiet logs, and an optional other API host.

    `base_url` (TWILIO_API_BASE_URL) replaces https://*.twilio.com in every request, for the
    fake Twilio server in tests and benchmarks. Nothing is logged: URLs and answers carry
    phone numbers.
    """

    def __init__(self, base_url: str = "", timeout: float = 15.0) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        # requests reads the proxy settings from the environment on every request, a good
        # share of a send's cost: read them once (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE).
        target = self.base_url or "https://api.twilio.com"
        self.proxy = requests.utils.get_environ_proxies(target)
        self.session.trust_env = False  # type: ignore[union-attr]
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.session.verify = bundle  # type: ignore[union-attr]

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        if self.base_url:
            url = _TWILIO_HOST.sub(self.base_url, url, count=1)
        return super().request(method, url, *args, **kwargs)

    def log_request(self, kwargs: dict[str, Any]) -> None:
        pass

    def log_response(self, status_code: int, response: Any) -> None:
        pass


def _connect_failed(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc.args[0]) if exc.args else ""
    return isinstance(exc, requests.ConnectionError) and (
        "NewConnectionError" in text or "NameResolutionError" in text
    )


class TwilioTransport:
    """Sends through the twilio SDK's Client.messages.create: one client and session per worker."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def send(self, message: Outgoing) -> Accepted:
        params: dict[str, Any] = {"to": message.to}
        for name in ("body", "from_", "messaging_service_sid", "content_sid",
                     "content_variables", "status_callback"):
            value = getattr(message, name)
            if value:
                params[name] = value
        try:
            created = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio answered {exc.status}", http_status=exc.status, code=exc.code
            ) from None
        except requests.RequestException as exc:
            timeout = isinstance(exc, requests.Timeout) and not isinstance(
                exc, requests.ConnectTimeout
            )
            raise SendError(
                "timed out" if timeout else "network error", ambiguous=not _connect_failed(exc)
            ) from None
        except Exception as exc:  # an unreadable answer: Twilio may have taken the message
            raise SendError(f"unexpected {type(exc).__name__}", ambiguous=True) from None
        return Accepted(created.sid)

    def find(self, message: Outgoing, since: datetime) -> list[str]:
        """Sids of messages Twilio holds that match this one, sent since `since`, oldest first."""
        if not message.body:
            return []  # a template's text is Twilio's; nothing to recognise it by
        try:
            found = self.client.messages.list(to=message.to, limit=50)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio answered {exc.status}", http_status=exc.status, code=exc.code
            ) from None
        except requests.RequestException:
            raise SendError("network error while checking", ambiguous=True) from None
        sids = []
        for item in found:
            created = item.date_created
            if created is not None and created < since:
                continue
            if item.body != message.body or not str(item.direction or "").startswith("outbound"):
                continue
            if message.from_ and item.from_ and item.from_ != message.from_:
                continue
            sids.append((created or since, item.sid))
        return [sid for _, sid in sorted(sids)]


class ConsoleTransport:
    """Development without a Twilio account: say what would be sent, send nothing."""

    def __init__(self, echo: Callable[[str], None] = click.echo, show_bodies: bool = False):
        self.echo = echo
        self.show_bodies = show_bodies

    def send(self, message: Outgoing) -> Accepted:
        if message.body:
            info = segment_info(message.body, smart_encoding=False)
            size = f"{info.segments} segment{'s' if info.segments != 1 else ''}, {info.encoding}"
        else:
            size = "template"
        line = (
            f"[outbox] would send message {message.outbox_id} ({message.kind}, "
            f"{message.channel}, {size}): no Twilio account is configured"
        )
        if self.show_bodies:
            line += f"\n         to {message.to}: {message.body or message.content_sid}"
        self.echo(line)
        return Accepted(None, "console")

    def find(self, message: Outgoing, since: datetime) -> list[str]:
        return []


# --------------------------------------------------------------------------- worker
@dataclass(frozen=True)
class Sender:
    """One of the hotline's own senders: a number, a WhatsApp number or a Messaging Service."""

    key: str  # what the throttle counts by
    from_: str | None = None
    messaging_service_sid: str | None = None


@dataclass
class Policy:
    """How the worker delivers: senders, throttle, retries, leases (from the settings)."""

    from_number: str = ""
    whatsapp_from: str = ""
    messaging_service_sid: str = ""
    status_callback: str | None = None
    template_sid: str = ""
    template_variables: dict[str, Any] = field(default_factory=dict)
    rate: float = 1.0  # messages per second per sender; 0 = no limit
    max_attempts: int = 10
    timeout: float = 15.0
    lease: float = 60.0
    batch_size: int = 50
    backoff_base: float = 5.0
    backoff_cap: float = 600.0
    poll: float = 1.0

    def sender_for(self, channel: str) -> Sender | None:
        """Which of our senders serves a channel: its own number, else the Messaging Service."""
        if channel == "whatsapp" and self.whatsapp_from:
            address = self.whatsapp_from
            if not address.startswith("whatsapp:"):
                address = "whatsapp:" + address
            return Sender(address, from_=address)
        if channel == "sms" and self.from_number:
            return Sender(self.from_number, from_=self.from_number)
        service = self.messaging_service_sid
        if service:
            return Sender(service, messaging_service_sid=service)
        return None

    @property
    def margin(self) -> float:
        """Time a send may take: a claim is not used closer than this to its lease's end."""
        return self.timeout + 2.0

    def claim_size(self) -> int:
        if not self.rate:
            return self.batch_size
        return max(1, min(self.batch_size, int(self.rate * (self.lease - self.margin) / 2)))


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before retry `attempt` (1, 2, …): exponential, capped, with equal jitter."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def policy_from_settings(settings: Any) -> Policy:
    """The worker's policy from the hotline's Settings."""
    base = settings.public_base_url
    return Policy(
        from_number=settings.twilio_from_number,
        whatsapp_from=settings.twilio_whatsapp_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        status_callback=f"{base}/twilio/status" if base else None,
        template_sid=settings.twilio_whatsapp_template_sid,
        template_variables={"1": settings.hotline_name},
        rate=settings.send_rate,
        max_attempts=settings.send_max_attempts,
        timeout=settings.send_timeout,
        lease=settings.outbox_lease,
    )


def transport_for(
    settings: Any, *, echo: Callable[[str], None] = click.echo, show_bodies: bool = False
) -> Transport:
    """Twilio when an account is configured, else the console."""
    if settings.twilio_account_sid and settings.twilio_auth_token:
        http = HotlineHttpClient(settings.twilio_api_base_url, timeout=settings.send_timeout)
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        return TwilioTransport(client)
    return ConsoleTransport(echo=echo, show_bodies=show_bodies)


class Worker:
    """Claims due outbox rows in batches and delivers them one at a time.

    `clock` and `sleep` are injectable so retries, leases and the throttle are testable
    without waiting; `stop` ends `run` between two messages.
    """

    def __init__(
        self,
        db: Engine,
        transport: Transport,
        policy: Policy | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Any] | None = None,
        rng: random.Random | None = None,
        stop: threading.Event | None = None,
        name: str | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.policy = policy or Policy()
        self.clock = clock
        self.stop = stop or threading.Event()
        self.sleep = sleep or self.stop.wait
        self.rng = rng or random.Random()
        self.name = name or f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.outcomes: Counter[str] = Counter()  # sent, console, failed, retry… this run
        self._insert = pg_insert if is_postgres(db) else sqlite_insert
        self._connection: Connection | None = None
        self._resume_at: datetime | None = None  # set when the throttle asks to wait

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One transaction on the worker's own connection (kept: no pool check-out per message)."""
        if self._connection is None:
            self._connection = self.db.connect()
        connection = self._connection
        try:
            with (
                write_lock(self.db),
                connection.begin(),
                Session(bind=connection, expire_on_commit=False) as session,
            ):
                yield session
                session.flush()
        except BaseException:
            self.close()  # a broken connection is not reused; the next transaction reconnects
            raise

    def close(self) -> None:
        """Give the worker's connection back."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.warning("outbox worker: closing the database connection failed")

    # ---------------------------------------------------------------- loop
    def run(self, *, until_empty: bool = False) -> int:
        """Deliver until stopped (or, with until_empty, until nothing is left to try)."""
        handled = 0
        try:
            self.take_over_dead_workers()
            while not self.stop.is_set():
                try:
                    done = self.run_once()
                    wait = None if done else self._idle_seconds()
                except OperationalError:
                    log.warning("outbox worker: database unavailable; trying again")
                    self.sleep(self.policy.poll)
                    continue
                handled += done
                resume, self._resume_at = self._resume_at, None
                if resume is not None:
                    self.sleep(max((resume - self.clock()).total_seconds(), 0.0))
                    continue
                if done:
                    continue
                if wait is None:
                    if until_empty:
                        break
                    wait = self.policy.poll
                self.sleep(wait if until_empty else min(wait, self.policy.poll))
        finally:
            self.close()
        return handled

    def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many messages were dealt with."""
        batch, deadline, opted_out = self._claim()
        done: set[int] = set()
        current = None
        try:
            for row in batch:
                if self.stop.is_set() or self._too_late(self.clock(), deadline):
                    break
                current = row.id
                delivered = self._deliver(row, deadline, row.id in opted_out)
                current = None
                if not delivered:
                    break
                done.add(row.id)
        finally:
            # The row in hand when something failed may have reached Twilio: it keeps its
            # claim, and whoever takes it after the lease looks for it at Twilio first.
            left = [row.id for row in batch if row.id not in done and row.id != current]
            if left:
                self._release(left)
        return len(done)

    def take_over_dead_workers(self) -> int:
        """Rows held by a worker of this machine that is no longer running are due now.

        Their leases would free them anyway; this spares a restarted worker the wait. They stay
        "sending", so whoever claims them first looks for them at Twilio.
        """
        with self._transaction() as session:
            holders = session.exec(
                select(OutboxMessage.claimed_by)
                .where(OutboxMessage.status == "sending", OutboxMessage.claimed_by.is_not(None))
                .distinct()
            ).all()
            dead = [holder for holder in holders if _gone(holder)]
            if not dead:
                return 0
            result = session.connection().execute(
                update(OUTBOX)
                .where(OUTBOX.c.status == "sending", OUTBOX.c.claimed_by.in_(dead))
                .values(next_attempt_at=self.clock())
            )
        log.info("outbox: took over %d messages from stopped workers", result.rowcount)
        return result.rowcount  # type: ignore[no-any-return]

    def _too_late(self, moment: datetime, deadline: datetime) -> bool:
        return moment + timedelta(seconds=self.policy.margin) > deadline

    def _idle_seconds(self) -> float | None:
        """Seconds until a row may be due, or None when nothing is waiting at all."""
        with self._transaction() as session:
            due = session.exec(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == "pending", ~_blocked()
                )
            ).one()
            held = session.exec(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == "sending"
                )
            ).one()
        if due is None and held is None:
            return None
        times = [aware(t) for t in (due, held) if t is not None]
        wait = (min(times) - self.clock()).total_seconds()  # type: ignore[operator]
        if held is not None:
            wait = min(wait, self.policy.poll)  # another worker may finish early
        return max(wait, 0.05)

    # ---------------------------------------------------------------- claiming
    def _claim(self) -> tuple[list[OutboxMessage], datetime, set[int]]:
        now = self.clock()
        deadline = now + timedelta(seconds=self.policy.lease)
        with self._transaction() as session:
            ids = list(
                session.exec(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status.in_(WAITING),
                        OutboxMessage.next_attempt_at <= now,
                        ~_blocked(),
                    )
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(self.policy.claim_size())
                    .with_for_update(skip_locked=True, of=OutboxMessage)  # type: ignore[arg-type]
                ).all()
            )
            if not ids:
                return [], deadline, set()
            connection = session.connection()
            mine = OUTBOX.c.id.in_(ids)
            # Still "sending" after its lease: a worker died holding it, perhaps mid-send.
            connection.execute(
                update(OUTBOX)
                .where(mine, OUTBOX.c.status == "sending", OUTBOX.c.unconfirmed_at.is_(None))
                .values(unconfirmed_at=OUTBOX.c.updated_at)
            )
            connection.execute(
                update(OUTBOX)
                .where(mine)
                .values(status="sending", claimed_by=self.name, next_attempt_at=deadline,
                        updated_at=now)
            )
            connection.execute(
                update(TRANSCRIPT)
                .where(TRANSCRIPT.c.id.in_(select(OUTBOX.c.message_id).where(mine)))
                .values(status="sending", updated_at=now)
            )
            rows = list(
                session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .order_by(OutboxMessage.id)
                )
            )
            opted_out = self._opted_out(session, rows)
        log.debug("outbox claimed %d worker=%s", len(rows), self.name)
        return rows, deadline, opted_out

    def _opted_out(self, session: Session, rows: list[OutboxMessage]) -> set[int]:
        keys = crypto.current()
        by_hash: dict[str, list[int]] = {}
        for row in rows:
            for value in keys.lookup_hashes(phone_of(row.to)):
                by_hash.setdefault(value, []).append(row.id)  # type: ignore[arg-type]
        found = session.exec(
            select(Contact.phone_hash).where(
                Contact.opted_out, Contact.phone_hash.in_(list(by_hash))
            )
        ).all()
        return {row_id for value in found for row_id in by_hash[value]}

    def _release(self, ids: list[int]) -> None:
        """Give back claimed rows not yet tried: another worker (or this one) takes them."""
        now = self.clock()
        with self._transaction() as session:
            # Outbox rows first, transcript rows second: the order every writer here locks in.
            connection = session.connection()
            released = connection.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(ids),
                    OUTBOX.c.claimed_by == self.name,
                    OUTBOX.c.status == "sending",
                )
                .values(status="pending", claimed_by=None, next_attempt_at=now, updated_at=now)
                .returning(OUTBOX.c.message_id)
            ).scalars()
            message_ids = [message_id for message_id in released if message_id is not None]
            if message_ids:
                connection.execute(
                    update(TRANSCRIPT)
                    .where(TRANSCRIPT.c.id.in_(message_ids))
                    .values(status="queued", updated_at=now)
                )

    # ---------------------------------------------------------------- one message
    def _deliver(self, row: OutboxMessage, deadline: datetime, opted_out: bool) -> bool:
        """Send one claimed row and record the outcome; False when it was left for later."""
        sender = self.policy.sender_for(row.channel)
        if opted_out:
            self._finish(row, "failed", OPTED_OUT, reason_for(OPTED_OUT))
            return True
        if sender is None:
            setting = "TWILIO_WHATSAPP_FROM" if row.channel == "whatsapp" else "TWILIO_FROM_NUMBER"
            log.error("outbox: no %s sender configured (set %s)", row.channel, setting)
            self._finish(row, "failed", None, f"no {row.channel} sender is configured ({setting})")
            return True
        while True:
            if self.policy.rate:
                slot, opted_out = self._reserve(sender, row, deadline)
                if opted_out:
                    self._finish(row, "failed", OPTED_OUT, reason_for(OPTED_OUT))
                    return True
                if slot is None:
                    return False  # the sender's next free slot is beyond this claim's lease
                wait = (slot - self.clock()).total_seconds()
                if wait > 0:
                    self.sleep(wait)
                if self.stop.is_set():
                    return False
            outgoing = self._outgoing(row, sender)
            started = self.clock()
            row.attempts += 1
            try:
                if row.unconfirmed_at is not None and self._adopt(row, outgoing):
                    return True
                accepted = self.transport.send(outgoing)
            except SendError as exc:
                if exc.code == OUTSIDE_WINDOW and self._use_template(row):
                    continue  # send the approved template in its place, now
                self._failed_attempt(row, exc, started)
                return True
            self._accepted(row, accepted)
            return True

    def _outgoing(self, row: OutboxMessage, sender: Sender) -> Outgoing:
        variables = None
        if row.content_sid:
            values = row.content_variables
            if values is None and row.template_fallback:
                values = self.policy.template_variables
            variables = json.dumps(values, ensure_ascii=False) if values else None
        return Outgoing(
            outbox_id=row.id,  # type: ignore[arg-type]
            kind=row.kind,
            channel=row.channel,
            to=row.to,
            body=None if row.template_fallback else row.body,
            from_=sender.from_,
            messaging_service_sid=sender.messaging_service_sid,
            content_sid=row.content_sid,
            content_variables=variables,
            status_callback=self.policy.status_callback,
        )

    def _use_template(self, row: OutboxMessage) -> bool:
        """63016: switch the row to the approved template, if there is one and it is not one."""
        if not self.policy.template_sid or row.template_fallback or row.channel != "whatsapp":
            return False
        row.content_sid = self.policy.template_sid
        row.template_fallback = True
        row.error_code = OUTSIDE_WINDOW
        row.error = TEMPLATE_SENT
        log.info("outbox outside window: sending template outbox=%s", row.id)
        return True

    def _adopt(self, row: OutboxMessage, outgoing: Outgoing) -> bool:
        """A send that may have got through: if Twilio has it, record it instead of resending."""
        since = aware(row.unconfirmed_at) - timedelta(minutes=10)  # type: ignore[operator]
        candidates = self.transport.find(outgoing, since)
        if not candidates:
            return False
        with self._transaction() as session:
            known = set(
                session.exec(
                    select(OutboxMessage.provider_sid).where(
                        OutboxMessage.provider_sid.in_(candidates)
                    )
                ).all()
            )
        fresh = [sid for sid in candidates if sid not in known]
        if not fresh:
            return False
        log.info("outbox found at Twilio, not resent outbox=%s", row.id)
        self._accepted(row, Accepted(fresh[0]))
        return True

    def _reserve(
        self, sender: Sender, row: OutboxMessage, deadline: datetime
    ) -> tuple[datetime | None, bool]:
        """Take the sender's next free slot (shared by every worker); also re-check STOP.

        A slot too late for this claim's lease is left for whoever can use it (None).
        """
        interval = timedelta(seconds=1 / self.policy.rate)
        now = self.clock()
        with self._transaction() as session:
            query = select(OutboxSender).where(OutboxSender.sender == sender.key).with_for_update()
            slot_row = session.exec(query).first()
            if slot_row is None:
                session.execute(
                    self._insert(OutboxSender)
                    .values(sender=sender.key, next_at=now)
                    .on_conflict_do_nothing(index_elements=["sender"])
                )
                slot_row = session.exec(query).one()
            slot: datetime | None = max(aware(slot_row.next_at), now)  # type: ignore[type-var]
            if self._too_late(slot, deadline):  # type: ignore[arg-type]
                # Come back when a fresh claim's lease reaches it; keep it for others till then.
                reach = timedelta(seconds=self.policy.lease - self.policy.margin)
                self._resume_at = slot - reach + timedelta(seconds=1)  # type: ignore[operator]
                slot = None
            else:
                slot_row.next_at = slot + interval  # type: ignore[operator]
                session.add(slot_row)
            opted_out = bool(self._opted_out(session, [row]))
        return slot, opted_out

    # ---------------------------------------------------------------- recording
    def _update(self, session: Session, row: OutboxMessage, **values: Any) -> bool:
        """Write to a row this worker still holds; False if it was erased or taken over."""
        result = _run_update(
            session,
            OUTBOX,
            row.id,  # type: ignore[arg-type]
            {"claimed_by": None, "updated_at": self.clock(), **values},
            holder=self.name,
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("outbox row no longer held outbox=%s worker=%s", row.id, self.name)
            return False
        for name, value in values.items():
            setattr(row, name, value)
        return True

    def _template_fields(self, row: OutboxMessage) -> dict[str, Any]:
        if not row.template_fallback:
            return {}
        return {
            "content_sid": row.content_sid,
            "template_fallback": True,
            "error_code": row.error_code,
            "error": row.error,
        }

    def _accepted(self, row: OutboxMessage, accepted: Accepted) -> None:
        now = self.clock()
        values: dict[str, Any] = {
            "status": accepted.status,
            "provider_sid": accepted.sid,
            "attempts": row.attempts,
            "sent_at": now,
            "next_attempt_at": now,
            "unconfirmed_at": None,
            "error_code": None,
            "error": None,
        }
        values.update(self._template_fields(row))
        with self._transaction() as session:
            if self._update(session, row, **values):
                transcript: dict[str, Any] = {"status": accepted.status}
                if accepted.sid:
                    transcript["message_sid"] = accepted.sid
                if row.template_fallback:
                    transcript["error_code"] = OUTSIDE_WINDOW
                _set_transcript(session, row.message_id, **transcript)
        self.outcomes[accepted.status] += 1
        log.info("outbox %s outbox=%s kind=%s attempts=%d", accepted.status, row.id, row.kind,
                 row.attempts)

    def _failed_attempt(self, row: OutboxMessage, exc: SendError, started: datetime) -> None:
        code = exc.code
        if code == OPTED_OUT:
            self._finish(row, "failed", code, reason_for(code), opt_out=True)
        elif code == OUTSIDE_WINDOW:
            self._finish(row, "needs_template", code, reason_for(code))
        elif code in INVALID or code == BLOCKED or not exc.retryable:
            self._finish(row, "failed", code, reason_for(code, f"refused by Twilio ({exc.reason})"))
        elif row.attempts >= self.policy.max_attempts:
            reason = f"gave up after {row.attempts} attempts: {exc.reason}"
            self._finish(row, "failed", code, reason)
        else:
            self._retry(row, exc, started)

    def _retry(self, row: OutboxMessage, exc: SendError, started: datetime) -> None:
        policy = self.policy
        delay = backoff(row.attempts, policy.backoff_base, policy.backoff_cap, self.rng)
        unconfirmed = row.unconfirmed_at
        if exc.ambiguous:
            # Twilio may still be handling the request: look for it only once it must be done.
            delay = max(delay, 2 * policy.timeout)
            unconfirmed = unconfirmed or started
        values: dict[str, Any] = {
            "status": "pending",
            "attempts": row.attempts,
            "next_attempt_at": self.clock() + timedelta(seconds=delay),
            "unconfirmed_at": unconfirmed,
            "error_code": exc.code,
            "error": f"will retry: {exc.reason}",
        }
        values.update(self._template_fields(row))
        with self._transaction() as session:
            if self._update(session, row, **values):
                _set_transcript(session, row.message_id, status="queued")
        self.outcomes["retry"] += 1
        log.info("outbox retry outbox=%s attempts=%d http=%s code=%s in=%.1fs", row.id,
                 row.attempts, exc.http_status, exc.code, delay)

    def _finish(
        self, row: OutboxMessage, status: str, code: int | None, reason: str, opt_out: bool = False
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "attempts": row.attempts,
            "error_code": code,
            "error": reason[:200],
            "unconfirmed_at": None,
        }
        if row.template_fallback:
            values.update(content_sid=row.content_sid, template_fallback=True)
        with self._transaction() as session:
            if self._update(session, row, **values):
                if opt_out:
                    _mark_opted_out(session, row.to)
                _set_transcript(session, row.message_id, status=status, error_code=code)
                _tell_advocates(session, row)
        self.outcomes[status] += 1
        log.warning("outbox %s outbox=%s kind=%s code=%s attempts=%d", status, row.id, row.kind,
                    code, row.attempts)


def _gone(holder: str | None) -> bool:
    """True when `holder` names a worker process of this machine that no longer exists."""
    host, _, rest = (holder or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, run by someone else
    return False


def _blocked():  # type: ignore[no-untyped-def]
    """An older message to the same recipient is still waiting: keep their order."""
    older = aliased(OutboxMessage)
    return (
        select(older.id)
        .where(
            older.to_hash == OutboxMessage.to_hash,
            older.id < OutboxMessage.id,
            older.status.in_(WAITING),
        )
        .exists()
    )


# --------------------------------------------------------------------------- the app
def worker_for(app: Any, *, show_bodies: bool = False, **kwargs: Any) -> Worker:
    """A worker for this app's settings and database (Twilio, or the console without an account)."""
    settings = app.config["HOTLINE_SETTINGS"]
    transport = transport_for(settings, show_bodies=show_bodies)
    return Worker(app.extensions["hotline"].db, transport, policy_from_settings(settings), **kwargs)


def start_worker_thread(app: Any) -> threading.Thread:
    """`hotline serve`: deliver the outbox from a daemon thread of the development server."""
    worker = worker_for(app, show_bodies=bool(app.config.get("HOTLINE_SHOW_BODIES")))
    app.extensions["hotline_outbox_worker"] = worker

    def run() -> None:
        while not worker.stop.is_set():
            try:
                worker.run()
            except Exception:
                log.exception("outbox worker stopped on an error; restarting in 5 s")
                worker.stop.wait(5)

    thread = threading.Thread(target=run, name="outbox-worker", daemon=True)
    thread.start()
    return thread


def init_app(app: Any) -> None:
    """Run the worker inside `hotline serve` (development); production runs `outbox work`."""
    app.extensions.setdefault("hotline_background", []).append(start_worker_thread)
    # urllib3 logs request URLs at DEBUG, and a lookup's URL holds the recipient's number.
    logging.getLogger("urllib3").setLevel(logging.INFO)


def summary(db: Engine) -> dict[str, int]:
    """How many outbox rows are in each status."""
    with Session(db) as session:
        rows = session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return {status: count for status, count in rows}


LISTED = ("id", "kind", "channel", "status", "attempts", "error_code", "error", "case_id",
          "created_at")


def listing(db: Engine, statuses: Iterable[str] | None = None, limit: int = 50) -> list[dict]:
    """Recent outbox rows without personal data (no number, no body): `hotline outbox list`."""
    columns = [getattr(OutboxMessage, name) for name in LISTED]
    query = select(*columns).order_by(OutboxMessage.id.desc()).limit(limit)
    if statuses:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    with Session(db) as session:
        rows = [dict(zip(LISTED, values, strict=True)) for values in session.exec(query)]
    for row in rows:
        row["created_at"] = aware(row["created_at"]).isoformat()  # type: ignore[union-attr]
    return rows

