"""Helpers for outbox tests: a clock that sleeps instantly, queueing, rows, status callbacks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from bot.outbox import Accepted, Outgoing, Transport, Worker, enqueue, worker_for
from bot.storage.db import transaction
from bot.storage.models import Case, Contact, Conversation, Message, OutboxMessage


class FakeClock:
    """The worker's clock: `sleep` moves it forward at once and remembers how long."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)  # real "now": Twilio's timestamps are real
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=max(seconds, 0.0))

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Recording:
    """A transport wrapper noting the worker's clock and the message at every send."""

    def __init__(
        self,
        inner: Transport,
        clock: Callable[[], datetime],
        sends: list[tuple[datetime, Outgoing]] | None = None,
        after_send: Callable[[int], None] | None = None,
    ) -> None:
        self.inner = inner
        self.clock = clock
        self.sends = [] if sends is None else sends
        self.after_send = after_send

    def send(self, message: Outgoing) -> Accepted:
        self.sends.append((self.clock(), message))
        accepted = self.inner.send(message)
        if self.after_send is not None:
            self.after_send(len(self.sends))
        return accepted

    def find(self, message: Outgoing, since: datetime) -> list[str]:
        return self.inner.find(message, since)

    def erase(self, sid: str) -> str:
        return self.inner.erase(sid)


def db(app: Any):  # type: ignore[no-untyped-def]
    return app.extensions["hotline"].db


def make_worker(app: Any, clock: FakeClock | None = None, **policy: Any) -> Worker:
    """The app's own worker (Twilio through TWILIO_API_BASE_URL), with a test clock and policy."""
    kwargs: dict[str, Any] = {"rng": random.Random(7)}
    if clock is not None:
        kwargs.update(clock=clock, sleep=clock.sleep)
    worker = worker_for(app, **kwargs)
    worker.policy.poll = 0.05
    for name, value in policy.items():
        setattr(worker.policy, name, value)
    return worker


def queue(app: Any, **kwargs: Any) -> int:
    """Enqueue one message in its own transaction; returns the outbox row id."""
    kwargs.setdefault("kind", "notify")
    with transaction(db(app)) as session:
        return enqueue(session, **kwargs).id  # type: ignore[return-value]


def outbox_row(app: Any, row_id: int) -> OutboxMessage:
    with Session(db(app)) as session:
        return session.get(OutboxMessage, row_id)  # type: ignore[return-value]


def outbox_rows(app: Any) -> list[OutboxMessage]:
    with Session(db(app)) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def transcript(app: Any, message_id: int) -> Message:
    with Session(db(app)) as session:
        return session.get(Message, message_id)  # type: ignore[return-value]


def conversation_of(app: Any, number: str) -> int:
    """The conversation id of a number that has texted the hotline."""
    from bot.storage import crypto

    hashes = crypto.current().lookup_hashes(number)
    with Session(db(app)) as session:
        contact = session.exec(select(Contact).where(Contact.phone_hash.in_(hashes))).one()
        return session.exec(
            select(Conversation.id).where(Conversation.contact_id == contact.id)
        ).one()


def contact_opted_out(app: Any, number: str) -> bool:
    from bot.storage import crypto

    hashes = crypto.current().lookup_hashes(number)
    with Session(db(app)) as session:
        return session.exec(select(Contact).where(Contact.phone_hash.in_(hashes))).one().opted_out


def open_case(app: Any, conversation_id: int, ref: str = "K7F-3QX") -> int:
    with transaction(db(app)) as session:
        case = Case(ref=ref, conversation_id=conversation_id)
        session.add(case)
        session.flush()
        return case.id  # type: ignore[return-value]


def status_form(sid: str, status: str, error_code: int | None = None) -> dict[str, str]:
    """The form Twilio posts to a StatusCallback."""
    form = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": "+15555550123",
        "From": "+15555550100",
    }
    if error_code is not None:
        form["ErrorCode"] = str(error_code)
    return form
