"""Delivering a claimed batch several messages at a time, with Twilio's answers recorded together.

Used when the throttle is off and `Policy.concurrency` is above 1. A claim holds at most one
message per recipient (an older waiting one blocks the next), so the order in which a batch's
messages go out never reorders anyone's messages. Answers are written in a few transactions per
batch instead of one per message; until its answer is written a row stays "sending" under the
worker's lease, so a worker that dies leaves it to be looked for at Twilio (and adopted, not
resent) by whoever takes it over.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, text, update
from sqlmodel import Session

from ..storage.models import OutboxMessage
from .policy import Sender
from .status import ERASE, OUTBOX, OUTSIDE_WINDOW, TRANSCRIPT
from .transports import Accepted, SendError

log = logging.getLogger(__name__)

# Answers are written at least this often: a worker that dies loses the record of at most
# this many (and of the sends in flight), which whoever takes the rows over then finds at
# Twilio instead of sending them again.
RECORD_EVERY = 50
RECORD_WITHIN = timedelta(seconds=1)

Answer = tuple[OutboxMessage, Accepted | SendError | None, datetime | None]


def deliver(
    worker: Any, rows: list[OutboxMessage], deadline: datetime, opted_out: set[int],
    tried: set[int],
) -> int:
    """Deliver a claimed batch; returns how many messages were dealt with.

    Rows that need care first (erasures, opted out, no sender, a send that may already have
    reached Twilio, any template: Twilio cannot be asked whether it holds one) go one at a
    time as `Worker.deliver_each` does; the rest go `worker.policy.concurrency` at a time.
    `tried` collects every row a send was started for.
    """
    plain: list[tuple[OutboxMessage, Sender]] = []
    careful: list[OutboxMessage] = []
    for row in rows:
        sender = worker.sender_of(row)
        if (row.kind == ERASE or row.id in opted_out or sender is None
                or row.unconfirmed_at is not None or row.template_fallback
                or row.content_sid):  # a template cannot be looked up at Twilio: one at a time
            careful.append(row)
        else:
            plain.append((row, sender))
    done = worker.deliver_each(careful, deadline, opted_out, tried) if careful else 0
    if plain and not worker.stop.is_set():
        done += _send_all(worker, plain, deadline, tried)
    return done


def _send_all(
    worker: Any, plain: list[tuple[OutboxMessage, Sender]], deadline: datetime, tried: set[int]
) -> int:
    """Keep up to `concurrency` sends in flight; write answers as they gather."""
    pool = _pool(worker)
    waiting = iter(plain)
    flying: set[Future[Answer]] = set()
    accepted: list[tuple[OutboxMessage, Accepted]] = []
    refused: list[tuple[OutboxMessage, SendError, datetime]] = []
    since: datetime | None = None
    done = 0
    try:
        while True:
            while len(flying) < worker.policy.concurrency and not worker.stop.is_set():
                item = next(waiting, None)
                if item is None:
                    break
                row, sender = item
                if worker.too_late(worker.clock(), deadline):
                    break
                tried.add(row.id)  # type: ignore[arg-type]
                flying.add(pool.submit(_send, worker, row, sender))
            if not flying:
                break
            finished, flying = wait(flying, return_when=FIRST_COMPLETED)
            error = _collect(finished, accepted, refused)
            if error is not None:
                raise error
            since = since or (worker.clock() if accepted else None)
            if accepted and (len(accepted) >= RECORD_EVERY
                             or worker.clock() - since >= RECORD_WITHIN):  # type: ignore[operator]
                done += _record(worker, accepted)
                accepted, since = [], None
    finally:
        # Whatever happened, the sends still in flight finish and every answer Twilio gave
        # is written: an accepted message left unwritten would be looked for, not lost.
        _collect(wait(flying).done, accepted, [])
        if accepted:
            done += _record(worker, accepted)
    for row, exc, started in refused:
        if exc.code == OUTSIDE_WINDOW and worker.use_template(row):
            worker.deliver_one(row, deadline, False)  # the approved template in its place
        else:
            worker.failed_attempt(row, exc, started)
        done += 1
    return done


def _collect(
    finished: set[Future[Answer]],
    accepted: list[tuple[OutboxMessage, Accepted]],
    refused: list[tuple[OutboxMessage, SendError, datetime]],
) -> BaseException | None:
    """Sort finished sends' answers; an error in one (a bug, an interrupt) is returned only
    after every other answer is kept, so none of Twilio's answers is dropped."""
    error = None
    for future in finished:
        try:
            row, outcome, started = future.result()
        except BaseException as exc:  # noqa: BLE001 - the caller raises it
            error = error or exc
            continue
        if isinstance(outcome, Accepted):
            accepted.append((row, outcome))
        elif isinstance(outcome, SendError):
            refused.append((row, outcome, started))  # type: ignore[arg-type]
    return error


def _send(worker: Any, row: OutboxMessage, sender: Sender) -> Answer:
    """One send, in a thread of the worker's pool: Twilio's answer or its refusal."""
    outgoing = worker.outgoing(row, sender)
    started = worker.clock()
    row.attempts += 1
    try:
        return row, worker.transport.send(outgoing), started
    except SendError as exc:
        return row, exc, started


def _pool(worker: Any) -> ThreadPoolExecutor:
    pool = getattr(worker, "senders", None)
    if pool is None:
        pool = ThreadPoolExecutor(worker.policy.concurrency, thread_name_prefix="outbox-send")
        worker.senders = pool
    return pool


def _record(worker: Any, accepted: list[tuple[OutboxMessage, Accepted]]) -> int:
    """Write Twilio's answers for rows this worker still holds, in one transaction."""
    now = worker.clock()
    with worker.transaction() as session:
        held = record_accepted(session, worker.name, accepted, now)
    for row, answer in accepted:
        if row.id in held:
            row.status, row.provider_sid, row.sent_at = answer.status, answer.sid, now
            row.unconfirmed_at = row.error_code = row.error = row.claimed_by = None
            worker.outcomes[answer.status] += 1
        else:
            log.warning("outbox row no longer held outbox=%s worker=%s", row.id, worker.name)
    log.info("outbox sent %d of %d outbox=%s..%s worker=%s", len(held), len(accepted),
             accepted[0][0].id, accepted[-1][0].id, worker.name)
    return len(accepted)


def record_accepted(
    session: Session, holder: str, accepted: list[tuple[OutboxMessage, Accepted]], now: datetime
) -> set[int]:
    """Mark rows sent with Twilio's sids (two statements); returns the ids `holder` still held.

    A row another worker has taken over (its lease ran out) is left alone: that worker finds
    the message at Twilio and records it.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _record_postgres(session, holder, accepted, now)
    ids = [row.id for row, _ in accepted]

    def per_row(table: Any, values: dict[Any, Any]) -> Any:
        return case(values, value=table.c.id)

    written = session.connection().execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(ids), OUTBOX.c.claimed_by == holder, OUTBOX.c.status == "sending")
        .values(
            status=per_row(OUTBOX, {row.id: answer.status for row, answer in accepted}),
            provider_sid=per_row(OUTBOX, {row.id: answer.sid for row, answer in accepted}),
            attempts=per_row(OUTBOX, {row.id: row.attempts for row, _ in accepted}),
            sent_at=now, next_attempt_at=now, updated_at=now,
            unconfirmed_at=None, error_code=None, error=None, claimed_by=None,
        )
        .returning(OUTBOX.c.id, OUTBOX.c.message_id)
    ).all()
    held = {row_id for row_id, _ in written}
    answers = {row.id: answer for row, answer in accepted}
    transcript = {message_id: answers[row_id] for row_id, message_id in written if message_id}
    if transcript:
        sids = {key: answer.sid for key, answer in transcript.items() if answer.sid}
        values: dict[str, Any] = {
            "status": per_row(TRANSCRIPT, {key: a.status for key, a in transcript.items()}),
            "updated_at": now,
        }
        if sids:
            values["message_sid"] = case(sids, value=TRANSCRIPT.c.id,
                                         else_=TRANSCRIPT.c.message_sid)
        session.connection().execute(
            update(TRANSCRIPT).where(TRANSCRIPT.c.id.in_(list(transcript))).values(values)
        )
    return held


# PostgreSQL: the same two statements with the batch as arrays, so their text never changes
# (parsed, planned and prepared once per connection instead of once per batch).
_SENT = text("""
UPDATE outbox SET status = v.status, provider_sid = v.sid, attempts = v.attempts,
    sent_at = :now, next_attempt_at = :now, updated_at = :now,
    unconfirmed_at = NULL, error_code = NULL, error = NULL, claimed_by = NULL
FROM unnest(CAST(:ids AS integer[]), CAST(:sids AS text[]), CAST(:statuses AS text[]),
            CAST(:attempts AS integer[])) AS v(id, sid, status, attempts)
WHERE outbox.id = v.id AND outbox.claimed_by = :holder AND outbox.status = 'sending'
RETURNING outbox.id, outbox.message_id
""")
_SENT_TRANSCRIPT = text("""
UPDATE message SET status = v.status, message_sid = COALESCE(v.sid, message.message_sid),
    updated_at = :now
FROM unnest(CAST(:ids AS integer[]), CAST(:sids AS text[]), CAST(:statuses AS text[]))
    AS v(id, sid, status)
WHERE message.id = v.id
""")


def _record_postgres(
    session: Session, holder: str, accepted: list[tuple[OutboxMessage, Accepted]], now: datetime
) -> set[int]:
    connection = session.connection()
    written = connection.execute(_SENT, {
        "ids": [row.id for row, _ in accepted],
        "sids": [answer.sid for _, answer in accepted],
        "statuses": [answer.status for _, answer in accepted],
        "attempts": [row.attempts for row, _ in accepted],
        "now": now,
        "holder": holder,
    }).all()
    answers = {row.id: answer for row, answer in accepted}
    lines = [(message_id, answers[row_id]) for row_id, message_id in written if message_id]
    if lines:
        connection.execute(_SENT_TRANSCRIPT, {
            "ids": [message_id for message_id, _ in lines],
            "sids": [answer.sid for _, answer in lines],
            "statuses": [answer.status for _, answer in lines],
            "now": now,
        })
    return {row_id for row_id, _ in written}
