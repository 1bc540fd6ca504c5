"""The worker: sends claimed rows one at a time under the throttle, records answers, retries."""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from ..storage.clock import aware, utcnow
from ..storage.db import is_postgres, write_lock
from ..storage.models import OutboxMessage, OutboxSender
from . import claims, together
from .policy import Policy, Sender, backoff
from .status import (
    BLOCKED,
    ERASE,
    IN_PROGRESS,
    INVALID,
    OPTED_OUT,
    OUTBOX,
    OUTSIDE_WINDOW,
    TEMPLATE_SENT,
    mark_opted_out,
    reason_for,
    set_transcript,
    tell_advocates,
    update_row,
)
from .transports import Accepted, Outgoing, SendError, Transport

log = logging.getLogger(__name__)


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
        self.name = name or claims.holder_name()
        self.outcomes: Counter[str] = Counter()  # sent, console, failed, retry… this run
        self._insert = pg_insert if is_postgres(db) else sqlite_insert
        self._connection: Connection | None = None
        self._resume_at: datetime | None = None  # set when the throttle asks to wait
        self.senders: ThreadPoolExecutor | None = None  # sends in flight at once (together.py)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
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
            senders, self.senders = self.senders, None
            if senders is not None:
                senders.shutdown()
        return handled

    def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many messages were dealt with."""
        batch, deadline, opted_out = self._claim()
        tried: set[int] = set()
        try:
            if self.policy.concurrency > 1 and not self.policy.rate:
                return together.deliver(self, batch, deadline, opted_out, tried)
            return self.deliver_each(batch, deadline, opted_out, tried)
        finally:
            # A row tried may have reached Twilio: it keeps its claim, and whoever takes it
            # after the lease looks for it at Twilio first. The rest go back at once.
            left = [row.id for row in batch if row.id not in tried]
            if left:
                self._release(left)

    def deliver_each(
        self, rows: list[OutboxMessage], deadline: datetime, opted_out: set[int], tried: set[int]
    ) -> int:
        """Deliver rows one at a time, each answer recorded before the next send."""
        done = 0
        for row in rows:
            if self.stop.is_set() or self.too_late(self.clock(), deadline):
                break
            tried.add(row.id)  # type: ignore[arg-type]
            if not self.deliver_one(row, deadline, row.id in opted_out):
                tried.discard(row.id)  # type: ignore[arg-type]
                break
            done += 1
        return done

    def take_over_dead_workers(self) -> int:
        """Rows held by a worker of this machine that is no longer running are due now.

        Their leases would free them anyway; this spares a restarted worker the wait. They stay
        "sending", so whoever claims them first looks for them at Twilio.
        """
        with self.transaction() as session:
            dead = claims.dead_holders(session)
            if not dead:
                return 0
            taken = claims.take_over(session, dead, self.clock())
        log.info("outbox: took over %d messages from stopped workers", taken)
        return taken

    def too_late(self, moment: datetime, deadline: datetime) -> bool:
        return moment + timedelta(seconds=self.policy.margin) > deadline

    def _idle_seconds(self) -> float | None:
        """Seconds until a row may be due, or None when nothing is waiting at all."""
        with self.transaction() as session:
            due, held = claims.next_times(session)
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
        with self.transaction() as session:
            rows = claims.claim(session, self.name, now, deadline, self.policy.claim_size())
            if not rows:
                return [], deadline, set()
            opted_out = claims.opted_out(session, rows)
        log.debug("outbox claimed %d worker=%s", len(rows), self.name)
        return rows, deadline, opted_out

    def _release(self, ids: list[int]) -> None:
        """Give back claimed rows not yet tried: another worker (or this one) takes them."""
        now = self.clock()
        with self.transaction() as session:
            claims.release(session, ids, self.name, now)

    # ---------------------------------------------------------------- one message
    def deliver_one(self, row: OutboxMessage, deadline: datetime, opted_out: bool) -> bool:
        """Send one claimed row and record the outcome; False when it was left for later."""
        if row.kind == ERASE:
            self._erase(row)
            return True
        sender = self.sender_of(row)
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
            outgoing = self.outgoing(row, sender)
            started = self.clock()
            row.attempts += 1
            try:
                if row.unconfirmed_at is not None and self._adopt(row, outgoing):
                    return True
                accepted = self.transport.send(outgoing)
            except SendError as exc:
                if exc.code == OUTSIDE_WINDOW and self.use_template(row):
                    continue  # send the approved template in its place, now
                self.failed_attempt(row, exc, started)
                return True
            self._accepted(row, accepted)
            return True

    def _erase(self, row: OutboxMessage) -> None:
        """Delete the message a row names (and its media) at Twilio; retried like a send."""
        started = self.clock()
        row.attempts += 1
        try:
            status = self.transport.erase(row.provider_sid or "")
        except SendError as exc:
            again = exc.retryable or exc.http_status == 409 or exc.code == IN_PROGRESS
            if again and row.attempts < self.policy.max_attempts:
                self._retry(row, exc, started)
            else:
                self._finish(row, "failed", exc.code, f"not erased at Twilio ({exc.reason})")
            return
        now = self.clock()
        with self.transaction() as session:
            self._update(session, row, status=status, attempts=row.attempts, sent_at=now,
                         next_attempt_at=now, error_code=None, error=None)
        self.outcomes[status] += 1
        log.info("outbox %s outbox=%s kind=%s attempts=%d", status, row.id, row.kind,
                 row.attempts)

    def sender_of(self, row: OutboxMessage) -> Sender | None:
        """Which of our senders sends this row (None: none is configured for its channel)."""
        sender = self.policy.sender_for(row.channel)
        if sender is None and not getattr(self.transport, "needs_sender", True):
            sender = Sender("console")  # printed, not sent: no number to configure
        return sender

    def outgoing(self, row: OutboxMessage, sender: Sender) -> Outgoing:
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

    def use_template(self, row: OutboxMessage) -> bool:
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
        with self.transaction() as session:
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
        with self.transaction() as session:
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
            if self.too_late(slot, deadline):  # type: ignore[arg-type]
                # Come back when a fresh claim's lease reaches it; keep it for others till then.
                reach = timedelta(seconds=self.policy.lease - self.policy.margin)
                self._resume_at = slot - reach + timedelta(seconds=1)  # type: ignore[operator]
                slot = None
            else:
                slot_row.next_at = slot + interval  # type: ignore[operator]
                session.add(slot_row)
            opted_out = bool(claims.opted_out(session, [row]))
        return slot, opted_out

    # ---------------------------------------------------------------- recording
    def _update(self, session: Session, row: OutboxMessage, **values: Any) -> bool:
        """Write to a row this worker still holds; False if it was erased or taken over."""
        result = update_row(
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
        with self.transaction() as session:
            if self._update(session, row, **values):
                transcript: dict[str, Any] = {"status": accepted.status}
                if accepted.sid:
                    transcript["message_sid"] = accepted.sid
                if row.template_fallback:
                    transcript["error_code"] = OUTSIDE_WINDOW
                set_transcript(session, row.message_id, **transcript)
        self.outcomes[accepted.status] += 1
        log.info("outbox %s outbox=%s kind=%s attempts=%d", accepted.status, row.id, row.kind,
                 row.attempts)

    def failed_attempt(self, row: OutboxMessage, exc: SendError, started: datetime) -> None:
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
        with self.transaction() as session:
            if self._update(session, row, **values):
                set_transcript(session, row.message_id, status="queued")
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
        with self.transaction() as session:
            if self._update(session, row, **values):
                if opt_out:
                    mark_opted_out(session, row.to)
                set_transcript(session, row.message_id, status=status, error_code=code)
                tell_advocates(session, row)
        self.outcomes[status] += 1
        log.warning("outbox %s outbox=%s kind=%s code=%s attempts=%d", status, row.id, row.kind,
                    code, row.attempts)
