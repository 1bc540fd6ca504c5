"""The outbox with the throttle off: batches claimed at once, sent several at a time, recorded
together; nothing lost, nothing sent twice, nobody's messages reordered."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event
from twilio.rest import Client

from bot.config import ConfigError, load_settings
from bot.outbox import HotlineHttpClient, Outgoing, SendError, TwilioTransport, together
from bot.outbox.claims import claim
from bot.storage.db import transaction
from tests import test_outbox
from tests.conftest import TEST_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.utils.outbox import (
    FakeClock,
    Recording,
    conversation_of,
    db,
    make_worker,
    outbox_rows,
    queue,
    transcript,
)

HOTLINE = test_outbox.HOTLINE
fake = test_outbox.fake  # the fake Twilio server the app sends to, throttle off
app = test_outbox.app


@pytest.fixture
def app_settings(app_settings):  # type: ignore[no-untyped-def]
    """The outbox tests' app and fake Twilio (throttle off), four sends in flight."""
    app_settings["send_concurrency"] = 4
    return app_settings


def bodies_at(fake: FakeTwilio) -> Counter:
    return Counter(m["body"] for m in fake.messages)


def test_a_batch_goes_out_with_few_commits_and_each_message_once(app, fake):
    for n in range(40):
        queue(app, to=f"+15555{n:06d}", body=f"note {n}")
    commits: list[int] = []
    event.listen(db(app), "commit", lambda _connection: commits.append(1))
    worker = make_worker(app, batch_size=40)
    assert worker.run(until_empty=True) == 40

    assert bodies_at(fake) == Counter(f"note {n}" for n in range(40))
    rows = outbox_rows(app)
    assert {row.status for row in rows} == {"sent"}
    assert {row.provider_sid for row in rows} == {m["sid"] for m in fake.messages}
    assert all(row.attempts == 1 and row.claimed_by is None for row in rows)
    # The claim, the answers and the last look for more: not one commit per message.
    assert len(commits) <= 6


def test_family_transcripts_show_sent_with_twilios_sid(app, fake, twilio):
    numbers = [f"+1555555{n:04d}" for n in range(3)]
    ids = []
    for number in numbers:
        twilio.text("hola", sender=number)
        ids.append(queue(app, to=number, kind="advocate_reply", body=f"Te llamamos hoy {number}",
                         conversation_id=conversation_of(app, number), author="advocate"))
    make_worker(app).run(until_empty=True)
    sids = {m["body"]: m["sid"] for m in fake.messages}
    for row in outbox_rows(app):
        if row.id in ids:
            line = transcript(app, row.message_id)
            assert (line.status, line.message_sid) == ("sent", sids[row.body])


def test_batch_claims_never_hand_one_row_to_two_workers(app, fake):
    ids = {queue(app, to=f"+15555{n:06d}", body=f"n {n}") for n in range(60)}
    clock = FakeClock()
    taken: dict[str, list[int]] = {"a": [], "b": []}
    # On PostgreSQL both claims run while the other's transaction still holds its rows;
    # SQLite lets one writer in at a time.
    together_in_transaction = db(app).dialect.name == "postgresql"
    meet = threading.Barrier(2, timeout=30)

    def claimer(holder: str) -> None:
        for _ in range(5):
            meet.wait()
            with transaction(db(app)) as session:
                rows = claim(session, holder, clock(), clock() + timedelta(seconds=60), 7)
                if together_in_transaction:
                    meet.wait()
            taken[holder] += [row.id for row in rows]

    threads = [threading.Thread(target=claimer, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert taken["a"] and taken["b"]
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == sorted(ids)
    holders = Counter(row.claimed_by for row in outbox_rows(app))
    assert holders == Counter(a=len(taken["a"]), b=len(taken["b"]))


def test_only_each_recipients_oldest_waiting_message_is_claimed(app, fake):
    for n in range(3):
        queue(app, to="+15555550123", body=f"part {n}")
        queue(app, to="+15555550124", body=f"step {n}")
    with transaction(db(app)) as session:
        now = FakeClock()()
        rows = claim(session, "a", now, now + timedelta(seconds=60), 50)
    assert sorted(row.body for row in rows) == ["part 0", "step 0"]


def test_each_recipients_order_holds_through_retries_and_two_workers(app, fake):
    for n in range(5):
        for person in range(8):
            queue(app, to=f"+155555501{person:02d}", body=f"{person}: part {n}")
    fake.fail_ratio(0.3, status=500, seed=5)
    workers = [make_worker(app, backoff_base=0.01, backoff_cap=0.02) for _ in range(2)]
    threads = [threading.Thread(target=w.run, kwargs={"until_empty": True}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(bodies_at(fake)) == 40 and set(bodies_at(fake).values()) == {1}
    for person in range(8):
        to = f"+155555501{person:02d}"
        assert [m["body"] for m in fake.messages if m["to"] == to] == [
            f"{person}: part {n}" for n in range(5)
        ]
    assert {row.status for row in outbox_rows(app)} == {"sent"}


class Killed(BaseException):
    """The worker's process ends here: nothing after this line runs."""


def test_worker_killed_mid_batch_loses_nothing_and_doubles_nothing_after_its_lease(
    app, fake, monkeypatch
):
    for n in range(12):
        queue(app, to=f"+155555530{n:02d}", body=f"note {n}")
    clock = FakeClock()
    dying = make_worker(app, clock)
    dying.name = "another-host:1:dead"  # not on this machine: only its lease frees the rows

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed  # Twilio took the messages; the answers never reach the database

    monkeypatch.setattr(together, "record_accepted", killed)
    with pytest.raises(Killed):
        dying.run()
    monkeypatch.undo()
    assert len(fake.messages) == 12
    assert Counter(row.status for row in outbox_rows(app)) == {"sending": 12}

    survivor = make_worker(app, clock, poll=10)
    survivor.run(until_empty=True)  # waits (on its clock) for the lease, then looks at Twilio
    assert bodies_at(fake) == Counter(f"note {n}" for n in range(12))
    rows = outbox_rows(app)
    assert {row.status for row in rows} == {"sent"}
    assert {row.provider_sid for row in rows} == {m["sid"] for m in fake.messages}
    assert sum(r["method"] == "GET" for r in fake.requests) == 12  # each one looked up


def test_a_template_in_a_killed_batch_is_not_sent_twice(app, fake, monkeypatch):
    """Twilio cannot be asked whether it holds a template (its text is Twilio's), so templates
    go one at a time, each recorded before the next: a worker dying before it records the
    batch's answers leaves no template to send again."""
    for n in range(6):
        queue(app, to=f"+155555570{n:02d}", body=f"note {n}")
    for n in range(2):
        queue(app, to=f"+155555571{n:02d}", content_sid="HX" + "0" * 32,
              content_variables={"1": "Family Hotline"})
    clock = FakeClock()
    dying = make_worker(app, clock)
    dying.name = "another-host:1:dead"

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    monkeypatch.setattr(together, "record_accepted", killed)
    with pytest.raises(Killed):
        dying.run()
    monkeypatch.undo()
    make_worker(app, clock, poll=10).run(until_empty=True)
    templates = Counter(m["to"] for m in fake.messages if m["content_sid"])
    assert templates == {"+15555557100": 1, "+15555557101": 1}
    assert Counter(m["body"] for m in fake.messages if not m["content_sid"]) == Counter(
        f"note {n}" for n in range(6))
    assert {row.status for row in outbox_rows(app)} == {"sent"}


def test_stopping_worker_finishes_the_sends_in_flight_and_gives_the_rest_back(app, fake):
    for n in range(10):
        queue(app, to=f"+155555560{n:02d}", body=f"m {n}")
    worker = make_worker(app, concurrency=2)
    worker.transport = Recording(worker.transport, worker.clock,
                                 after_send=lambda n: worker.stop.set())
    worker.run()
    states = Counter(row.status for row in outbox_rows(app))
    assert 1 <= states["sent"] <= 2 and states["pending"] == 10 - states["sent"]
    make_worker(app).run(until_empty=True)
    assert bodies_at(fake) == Counter(f"m {n}" for n in range(10))


def test_refusals_and_unreachable_twilio_are_told_apart(fake):
    http = HotlineHttpClient(fake.base_url, timeout=2)
    transport = TwilioTransport(Client(fake.account_sid, TEST_TOKEN, http_client=http))
    message = Outgoing(outbox_id=1, kind="notify", channel="sms", to="+15555550123",
                       body="hola", from_=HOTLINE)
    fake.fail_to("+15555550123", 400, 21211)
    with pytest.raises(SendError) as refused:
        transport.send(message)
    assert (refused.value.http_status, refused.value.code, refused.value.ambiguous) == (
        400, 21211, False)

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    http = HotlineHttpClient(f"http://127.0.0.1:{port}", timeout=2)
    nowhere = TwilioTransport(Client(fake.account_sid, TEST_TOKEN, http_client=http))
    with pytest.raises(SendError) as unreachable:
        nowhere.send(message)
    assert unreachable.value.ambiguous is False and unreachable.value.retryable

    fake.delay_next(1, 0.5)
    slow = TwilioTransport(Client(fake.account_sid, TEST_TOKEN,
                                  http_client=HotlineHttpClient(fake.base_url, timeout=0.2)))
    with pytest.raises(SendError) as timed_out:
        slow.send(replace(message, to="+15555550124"))
    assert timed_out.value.ambiguous is True and timed_out.value.reason == "timed out"


def test_send_concurrency_is_read_and_checked(tmp_path):
    settings = load_settings({"HOTLINE_SEND_CONCURRENCY": "16"}, {"instance_path": tmp_path})
    assert settings.send_concurrency == 16
    assert load_settings({}, {"instance_path": tmp_path}).send_concurrency == 8
    for value in ("0", "65", "many"):
        with pytest.raises(ConfigError, match="HOTLINE_SEND_CONCURRENCY"):
            load_settings({"HOTLINE_SEND_CONCURRENCY": value}, {"instance_path": tmp_path})
