"""The outbox: every message reaches the fake Twilio once, failures end visibly, nothing spams."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from sqlmodel import Session
from twilio.rest import Client

from bot import create_app
from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.outbox import (
    FAILURE_LISTENERS,
    ConsoleTransport,
    HotlineHttpClient,
    TwilioTransport,
    backoff,
    failed_for_case,
    transport_for,
)
from bot.storage.migrate import upgrade
from tests.conftest import DATA_KEY, PUBLIC_BASE_URL, ROOT, TEST_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.utils.outbox import (
    FakeClock,
    Recording,
    contact_opted_out,
    conversation_of,
    db,
    make_worker,
    open_case,
    outbox_row,
    outbox_rows,
    queue,
    status_form,
    transcript,
)

HOTLINE = "+15555550100"
FAMILY = "+15555550123"
ADVOCATE = "+15555550199"
TEMPLATE = "HX" + "7" * 32


@pytest.fixture
def fake(app_settings):  # type: ignore[no-untyped-def]
    """A fake Twilio REST server the app sends to (TWILIO_API_BASE_URL), throttle off."""
    with FakeTwilio(auth_token=TEST_TOKEN) as server:
        app_settings.update(
            twilio_account_sid=server.account_sid,
            twilio_api_base_url=server.base_url,
            twilio_from_number=HOTLINE,
            twilio_whatsapp_from="whatsapp:" + HOTLINE,
            send_rate=0,
            send_timeout=2,
        )
        yield server


@pytest.fixture
def app(app_settings, fake):  # type: ignore[no-untyped-def]
    app = create_app(app_settings)
    app.config["TESTING"] = True
    upgrade(db(app))
    yield app
    db(app).dispose()


@pytest.fixture
def family(twilio, app) -> int:  # type: ignore[no-untyped-def]
    """A family that has texted the hotline: their conversation id."""
    twilio.text("hello", sender=FAMILY)
    return conversation_of(app, FAMILY)


def posts(fake: FakeTwilio, to: str | None = None) -> list[dict]:
    return [
        r for r in fake.requests
        if r["method"] == "POST" and (to is None or r["form"].get("To") == [to])
    ]


def bodies_at(fake: FakeTwilio) -> Counter:
    return Counter(m["body"] for m in fake.messages)


# --------------------------------------------------------------------------- delivery
def test_queued_reply_reaches_twilio_with_status_callback_and_transcript_follows(
    app, fake, family
):
    row_id = queue(app, to=FAMILY, kind="advocate_reply", body="We are on it.",
                   conversation_id=family, author="advocate")
    make_worker(app).run(until_empty=True)

    [sent] = fake.messages
    assert (sent["to"], sent["from"], sent["body"]) == (FAMILY, HOTLINE, "We are on it.")
    assert sent["status_callback"] == PUBLIC_BASE_URL + "/twilio/status"
    row = outbox_row(app, row_id)
    assert (row.status, row.provider_sid, row.attempts) == ("sent", sent["sid"], 1)
    assert row.sent_at is not None and row.claimed_by is None
    message = transcript(app, row.message_id)
    assert (message.status, message.message_sid, message.author) == (
        "sent", sent["sid"], "advocate"
    )


def test_whatsapp_goes_from_the_whatsapp_number(app, fake):
    queue(app, to="whatsapp:" + FAMILY, body="Hola")
    make_worker(app).run(until_empty=True)
    [sent] = fake.messages
    assert (sent["to"], sent["from"]) == ("whatsapp:" + FAMILY, "whatsapp:" + HOTLINE)


def test_messaging_service_is_used_without_a_number(app, fake):
    service = "MG" + "1" * 32
    worker = make_worker(app, from_number="", whatsapp_from="", messaging_service_sid=service)
    queue(app, to=FAMILY, body="sms")
    queue(app, to="whatsapp:" + ADVOCATE, body="wa")
    worker.run(until_empty=True)
    assert [(m["messaging_service_sid"], m["from"]) for m in fake.messages] == [
        (service, None), (service, None)
    ]


def test_channel_without_a_sender_fails_visibly(app, fake):
    row_id = queue(app, to="whatsapp:" + FAMILY, body="Hola")
    make_worker(app, whatsapp_from="").run(until_empty=True)
    row = outbox_row(app, row_id)
    assert row.status == "failed" and "TWILIO_WHATSAPP_FROM" in row.error
    assert posts(fake) == []


def test_messages_to_one_person_keep_their_order_through_retries(app, fake):
    clock = FakeClock()
    for n in range(3):
        queue(app, to=FAMILY, body=f"part {n}")
    queue(app, to=ADVOCATE, body="other")
    fake.fail_next(1, 500)  # the first message to FAMILY must be retried
    # One at a time, so the failure lands on FAMILY's first message (test_outbox_batches.py
    # checks the order when several messages are in flight).
    make_worker(app, clock, concurrency=1).run(until_empty=True)
    to_family = [m["body"] for m in fake.messages if m["to"] == FAMILY]
    assert to_family == ["part 0", "part 1", "part 2"]
    assert fake.messages[0]["body"] == "other"  # not held up behind someone else's retry


# --------------------------------------------------------------------------- failures
def test_injected_failures_end_with_every_message_delivered_exactly_once(app, fake, caplog):
    caplog.set_level(logging.DEBUG)
    numbers = [f"+1555555{n:04d}" for n in range(30)]
    for n, number in enumerate(numbers):
        queue(app, to=number, body=f"Case update {n}")
    fake.fail_ratio(1 / 3, status=500, seed=3)
    fake.fail_next(3, status=429)
    fake.delay_next(2, 0.35)  # answered after the worker's 0.25 s timeout, yet accepted
    worker = make_worker(app, backoff_base=0.01, backoff_cap=0.05, timeout=0.25)
    http = HotlineHttpClient(fake.base_url, timeout=0.25)
    worker.transport = TwilioTransport(Client(fake.account_sid, TEST_TOKEN, http_client=http))

    worker.run(until_empty=True)

    assert bodies_at(fake) == Counter(f"Case update {n}" for n in range(30))
    rows = outbox_rows(app)
    assert {row.status for row in rows} == {"sent"}
    assert {row.provider_sid for row in rows} == {m["sid"] for m in fake.messages}
    assert len(posts(fake)) > 30 and max(row.attempts for row in rows) > 1
    statuses = Counter(r["status"] for r in posts(fake))
    assert statuses[500] > 0 and statuses[429] == 3
    assert any(r["method"] == "GET" for r in fake.requests)  # timed-out sends were looked up
    for number in numbers:
        assert number[2:] not in caplog.text  # not even URL-encoded
    assert "Case update" not in caplog.text


def test_retries_back_off_exponentially_with_jitter_then_fail_for_advocates(app, fake, family):
    told = []
    FAILURE_LISTENERS.append(lambda session, row: told.append((row.id, row.status)))
    try:
        case_id = open_case(app, family)
        row_id = queue(app, to=FAMILY, body="Your case is open", conversation_id=family,
                       case_id=case_id)
        fake.fail_next(10, status=503)
        clock = FakeClock()
        worker = make_worker(app, clock, max_attempts=4, backoff_base=5, backoff_cap=600)
        worker.transport = Recording(worker.transport, clock)
        worker.run(until_empty=True)
    finally:
        FAILURE_LISTENERS.pop()

    times = [moment for moment, _ in worker.transport.sends]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 4 == len(posts(fake))
    for n, gap in enumerate(gaps, 1):
        assert 5 * 2 ** (n - 1) / 2 <= gap <= 5 * 2 ** (n - 1) + 0.01
    assert len(set(round(g / 2 ** n, 3) for n, g in enumerate(gaps))) > 1  # jittered
    row = outbox_row(app, row_id)
    assert row.status == "failed" and row.attempts == 4
    assert row.error.startswith("gave up after 4 attempts")
    assert transcript(app, row.message_id).status == "failed"
    with Session(db(app)) as session:
        assert [r.id for r in failed_for_case(session, case_id)] == [row_id]
    assert told == [(row_id, "failed")]


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(1)
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (8, 600), (20, 600)]:
        delay = backoff(attempt, 5, 600, rng)
        assert ceiling / 2 <= delay <= ceiling


def test_21610_marks_the_number_opted_out_and_stops(app, fake, family):
    fake.fail_to(FAMILY, 400, 21610, "Attempt to send to unsubscribed recipient")
    first = queue(app, to=FAMILY, body="one", conversation_id=family)
    second = queue(app, to=FAMILY, body="two", conversation_id=family)
    make_worker(app, FakeClock()).run(until_empty=True)

    assert len(posts(fake, FAMILY)) == 1  # no retry, and the next message is not tried
    assert contact_opted_out(app, FAMILY)
    for row_id in (first, second):
        row = outbox_row(app, row_id)
        assert (row.status, row.error_code) == ("failed", 21610)
        assert "opted out" in row.error
        assert transcript(app, row.message_id).status == "failed"


def test_nothing_is_sent_to_a_family_that_texted_stop(app, fake, twilio, family):
    twilio.text("STOP", sender=FAMILY)
    row_id = queue(app, to=FAMILY, body="Are you there?", conversation_id=family)
    make_worker(app).run(until_empty=True)
    assert posts(fake) == []
    assert (outbox_row(app, row_id).status, outbox_row(app, row_id).error_code) == (
        "failed", 21610
    )


def test_a_stop_arriving_while_throttled_is_respected(app, fake, twilio, family):
    clock = FakeClock()
    queue(app, to=ADVOCATE, body="first")
    row_id = queue(app, to=FAMILY, body="second", conversation_id=family)
    worker = make_worker(app, clock, rate=1)
    worker.transport = Recording(
        worker.transport, clock, after_send=lambda n: twilio.text("STOP", sender=FAMILY)
    )
    worker.run(until_empty=True)
    assert [m["body"] for m in fake.messages] == ["first"]
    assert outbox_row(app, row_id).error_code == 21610


@pytest.mark.parametrize(("code", "reason"), [(21211, "not a valid"), (21614, "not a mobile"),
                                              (63014, "blocked")])
def test_invalid_landline_and_blocked_numbers_fail_at_once(app, fake, code, reason):
    to = "whatsapp:" + FAMILY if code == 63014 else FAMILY
    fake.fail_to(to, 400, code)
    row_id = queue(app, to=to, body="hello")
    make_worker(app, FakeClock()).run(until_empty=True)
    assert len(posts(fake)) == 1
    row = outbox_row(app, row_id)
    assert (row.status, row.error_code) == ("failed", code) and reason in row.error
    assert not contact_opted_out_or_missing(app, FAMILY)


def contact_opted_out_or_missing(app, number) -> bool:  # type: ignore[no-untyped-def]
    try:
        return contact_opted_out(app, number)
    except Exception:
        return False


def test_whatsapp_outside_24_hours_sends_the_approved_template(app, fake, family):
    wa = "whatsapp:" + FAMILY
    fake.fail_next(1, 400, 63016, "Failed to send freeform message outside the window")
    case_id = open_case(app, family)
    row_id = queue(app, to=wa, body="An advocate replied", conversation_id=family,
                   case_id=case_id)
    make_worker(app, FakeClock(), template_sid=TEMPLATE).run(until_empty=True)

    [sent] = fake.messages
    assert sent["content_sid"] == TEMPLATE and sent["body"] == ""
    assert json.loads(sent["content_variables"]) == {"1": "Family Hotline"}
    row = outbox_row(app, row_id)
    assert (row.status, row.error_code, row.template_fallback) == ("sent", 63016, True)
    assert "template was sent" in row.error
    with Session(db(app)) as session:
        assert [r.id for r in failed_for_case(session, case_id)] == [row_id]


def test_whatsapp_outside_24_hours_without_template_tells_the_advocate(app, fake, family):
    told = []
    FAILURE_LISTENERS.append(lambda session, row: told.append(row.status))
    try:
        fake.fail_next(1, 400, 63016)
        case_id = open_case(app, family)
        row_id = queue(app, to="whatsapp:" + FAMILY, body="hi", conversation_id=family,
                       case_id=case_id)
        make_worker(app, FakeClock()).run(until_empty=True)
    finally:
        FAILURE_LISTENERS.pop()
    row = outbox_row(app, row_id)
    assert (row.status, row.error_code) == ("needs_template", 63016)
    assert transcript(app, row.message_id).status == "needs_template"
    assert len(posts(fake)) == 1 and told == ["needs_template"]
    with Session(db(app)) as session:
        assert [r.status for r in failed_for_case(session, case_id)] == ["needs_template"]


# --------------------------------------------------------------------------- throttle
def test_throttle_spaces_messages_per_sender(app, fake):
    clock = FakeClock()
    for n in range(4):
        queue(app, to=f"+155555510{n:02d}", body=f"sms {n}")
    for n in range(2):
        queue(app, to=f"whatsapp:+155555520{n:02d}", body=f"wa {n}")
    worker = make_worker(app, clock, rate=1)
    worker.transport = Recording(worker.transport, clock)
    started = time.monotonic()
    worker.run(until_empty=True)

    by_sender: dict[str, list[float]] = {}
    for moment, message in worker.transport.sends:
        by_sender.setdefault(message.from_, []).append(moment.timestamp())
    for times in by_sender.values():
        assert all(b - a >= 0.999 for a, b in zip(times, times[1:], strict=False))
    assert len(by_sender[HOTLINE]) == 4 and len(by_sender["whatsapp:" + HOTLINE]) == 2
    assert len(fake.messages) == 6
    assert time.monotonic() - started < 5  # the clock is the worker's, not the wall's


def test_throttle_is_shared_by_every_worker(app, fake):
    for n in range(6):
        queue(app, to=f"+155555510{n:02d}", body=f"sms {n}")
    clock = FakeClock()
    sends: list = []
    workers = [make_worker(app, clock, rate=2, batch_size=1) for _ in range(2)]
    for worker in workers:
        worker.transport = Recording(worker.transport, clock, sends)
    while sum(worker.run_once() for worker in workers):
        pass
    times = sorted(moment.timestamp() for moment, _ in sends)
    assert len(times) == 6 and len({id(m) for _, m in sends}) == 6
    assert all(b - a >= 0.499 for a, b in zip(times, times[1:], strict=False))
    assert all(worker.outcomes["sent"] > 0 for worker in workers)


def test_a_far_throttle_slot_is_waited_for_not_given_away(app, fake):
    from bot.storage.db import transaction
    from bot.storage.models import OutboxSender

    queue(app, to=FAMILY, body="later")
    clock = FakeClock()
    busy_until = clock.now + timedelta(minutes=10)  # other workers have filled ten minutes
    with transaction(db(app)) as session:
        session.add(OutboxSender(sender=HOTLINE, next_at=busy_until))
    worker = make_worker(app, clock, rate=1)
    worker.transport = Recording(worker.transport, clock)
    worker.run(until_empty=True)

    [(moment, _)] = worker.transport.sends
    assert moment == busy_until
    with Session(db(app)) as session:
        next_at = session.get(OutboxSender, HOTLINE).next_at
    assert next_at.replace(tzinfo=UTC) == busy_until + timedelta(seconds=1)  # one slot used
    assert len(clock.slept) < 10  # it waited, it did not poll


# --------------------------------------------------------------------------- callbacks
def _sent(app, fake, family, to=FAMILY):  # type: ignore[no-untyped-def]
    row_id = queue(app, to=to, body="hello", conversation_id=family)
    make_worker(app).run(until_empty=True)
    return row_id, fake.messages[-1]["sid"]


def test_status_callbacks_duplicated_and_out_of_order_never_go_backwards(
    app, fake, family, twilio
):
    row_id, sid = _sent(app, fake, family, to="whatsapp:" + FAMILY)
    seen = []
    for status in ["delivered", "sent", "delivered", "queued", "failed", "read", "delivered"]:
        response = twilio.post("/twilio/status", status_form(sid, status))
        assert response.status_code == 200
        row = outbox_row(app, row_id)
        seen.append(row.status)
        assert transcript(app, row.message_id).status == row.status
    assert seen == ["delivered"] * 5 + ["read", "read"]


def test_undelivered_callback_records_the_reason(app, fake, family, twilio):
    row_id, sid = _sent(app, fake, family)
    twilio.post("/twilio/status", status_form(sid, "sent"))
    twilio.post("/twilio/status", status_form(sid, "undelivered", 30007))
    row = outbox_row(app, row_id)
    assert (row.status, row.error_code) == ("undelivered", 30007)
    assert "spam" in row.error
    assert transcript(app, row.message_id).error_code == 30007


def test_opt_out_reported_by_callback_marks_the_number(app, fake, family, twilio):
    _, sid = _sent(app, fake, family)
    twilio.post("/twilio/status", status_form(sid, "failed", 21610))
    assert contact_opted_out(app, FAMILY)


def test_63016_reported_by_callback_sends_the_template_instead(app, app_settings, fake, family,
                                                               twilio):
    row_id, old_sid = _sent(app, fake, family, to="whatsapp:" + FAMILY)
    app.config["HOTLINE_SETTINGS"].twilio_whatsapp_template_sid = TEMPLATE
    twilio.post("/twilio/status", status_form(old_sid, "failed", 63016))
    assert outbox_row(app, row_id).status == "pending"
    make_worker(app, template_sid=TEMPLATE).run(until_empty=True)

    first, second = fake.messages
    assert first["body"] == "hello" and second["content_sid"] == TEMPLATE
    row = outbox_row(app, row_id)
    assert (row.status, row.provider_sid, row.template_fallback) == ("sent", second["sid"], True)
    # news about the refused message changes nothing now
    assert twilio.post("/twilio/status", status_form(old_sid, "failed", 63016)).status_code == 200
    assert outbox_row(app, row_id).status == "sent"


def test_status_callback_rejects_forgeries_and_shrugs_at_strangers(app, fake, family, twilio):
    row_id, sid = _sent(app, fake, family)
    assert twilio.post("/twilio/status", status_form("SM" + "f" * 32, "delivered")).status_code \
        == 200
    assert twilio.post("/twilio/status", status_form(sid, "delivered"), signature="bad") \
        .status_code == 403
    assert outbox_row(app, row_id).status == "sent"
    form = status_form(sid, "delivered")
    form["ErrorCode"] = "not a number"
    assert twilio.post("/twilio/status", form).status_code == 200
    assert twilio.post("/twilio/status", {"MessageSid": sid}).status_code == 400
    assert twilio.post("/twilio/status", status_form(sid, "x" * 5000)).status_code == 400
    assert twilio.post("/twilio/status", status_form(sid, "weird")).status_code == 200
    assert outbox_row(app, row_id).status == "delivered"


# --------------------------------------------------------------------------- crashes, workers
def test_worker_that_dies_mid_batch_loses_nothing_and_its_send_is_not_repeated(app, fake):
    clock = FakeClock()
    for n in range(5):
        queue(app, to=f"+155555530{n:02d}", body=f"note {n}")

    def die(sends: int) -> None:
        if sends == 2:
            raise KeyboardInterrupt  # after Twilio took the second message, before recording

    dying = make_worker(app, clock, concurrency=1)  # one at a time: see test_outbox_batches.py
    dying.name = "another-host:1:dead"
    dying.transport = Recording(dying.transport, clock, after_send=die)
    with pytest.raises(KeyboardInterrupt):
        dying.run()
    states = Counter(row.status for row in outbox_rows(app))
    assert states == {"sent": 1, "sending": 1, "pending": 3}  # unsent rows were given back

    survivor = make_worker(app, clock, poll=10)
    survivor.run(until_empty=True)  # sleeps (on its clock) until the dead one's lease ends
    assert bodies_at(fake) == Counter(f"note {n}" for n in range(5))
    assert {row.status for row in outbox_rows(app)} == {"sent"}
    assert any(r["method"] == "GET" for r in fake.requests)  # the unconfirmed send was found


def _worker_env(database_url: str, fake: FakeTwilio, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}
    env.update(
        DATABASE_URL=database_url,
        HOTLINE_DATA_KEYS=DATA_KEY,
        HOTLINE_SECRET_KEY="test-secret-key-for-sessions-0123456789",
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=TEST_TOKEN,
        TWILIO_FROM_NUMBER=HOTLINE,
        TWILIO_API_BASE_URL=fake.base_url,
        HOTLINE_SEND_RATE="0",
        HOTLINE_SEND_TIMEOUT="5",
        **extra,
    )
    return env


def test_killed_worker_process_loses_nothing_and_resends_at_most_the_one_in_flight(
    app, fake, database_url
):
    """The at-least-once bound: after kill -9, only the message in flight may arrive twice."""
    numbers = [f"+155555540{n:02d}" for n in range(8)]
    for n, number in enumerate(numbers):
        queue(app, to=number, body=f"update {n}")
    fake.delay_next(8, 0.15)
    env = _worker_env(database_url, fake)
    command = [sys.executable, "-m", "bot", "outbox", "work"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(posts(fake)) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.kill()
    _, first_log = worker.communicate(timeout=10)  # reaped: its pid is gone
    assert len(posts(fake)) >= 4
    assert Counter(row.status for row in outbox_rows(app))["sending"] >= 1  # killed mid-batch

    again = subprocess.run(command + ["--until-empty"], cwd=ROOT, env=env, capture_output=True,
                           timeout=60)
    assert again.returncode == 0, again.stderr.decode()[-2000:]

    counts = bodies_at(fake)
    assert set(counts) == {f"update {n}" for n in range(8)}
    assert sum(counts.values()) - 8 <= 1
    rows = outbox_rows(app)
    assert {row.status for row in rows} == {"sent"}
    assert {row.provider_sid for row in rows} <= {m["sid"] for m in fake.messages}
    logs = first_log.decode() + again.stderr.decode() + again.stdout.decode()
    assert "outbox: " in again.stdout.decode()
    for number in numbers:
        assert number not in logs
    assert "update 3" not in logs


def test_two_workers_draining_one_outbox_send_each_message_once(app, fake):
    for n in range(120):
        queue(app, to=f"+15555{n:06d}", body=f"bulk {n}")
    for n in range(6):
        queue(app, to=FAMILY, body=f"thread {n}")  # one person: kept in order across workers
    workers = [make_worker(app, batch_size=7) for _ in range(2)]
    threads = [threading.Thread(target=w.run, kwargs={"until_empty": True}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    counts = bodies_at(fake)
    assert len(counts) == 126 and set(counts.values()) == {1}
    assert [m["body"] for m in fake.messages if m["to"] == FAMILY] == [
        f"thread {n}" for n in range(6)
    ]
    assert {row.status for row in outbox_rows(app)} == {"sent"}
    assert all(worker.outcomes["sent"] > 0 for worker in workers)


def test_stopped_worker_gives_its_messages_back(app, fake):
    for n in range(4):
        queue(app, to=f"+155555560{n:02d}", body=f"m {n}")
    worker = make_worker(app, concurrency=1)  # several in flight: test_outbox_batches.py
    worker.transport = Recording(worker.transport, worker.clock,
                                 after_send=lambda n: worker.stop.set())
    worker.run()
    states = Counter(row.status for row in outbox_rows(app))
    assert states == {"sent": 1, "pending": 3}
    make_worker(app).run(until_empty=True)
    assert len(fake.messages) == 4


# --------------------------------------------------------------------------- development
def test_without_twilio_account_the_console_says_what_would_be_sent(app_settings, fake, tmp_path):
    app_settings["twilio_account_sid"] = ""
    console_app = create_app(app_settings)
    upgrade(db(console_app))
    row_id = queue(console_app, to=FAMILY, body="Private words")
    lines: list[str] = []
    transport = transport_for(console_app.config["HOTLINE_SETTINGS"])
    assert isinstance(transport, ConsoleTransport)
    worker = make_worker(console_app)
    worker.transport = ConsoleTransport(echo=lines.append)
    worker.run(until_empty=True)

    assert lines == [
        f"[outbox] would send message {row_id} (notify, sms, 1 segment, GSM-7): "
        "no Twilio account is configured"
    ]
    assert outbox_row(console_app, row_id).status == "console"  # still there to look at
    assert posts(fake) == []

    queue(console_app, to=FAMILY, body="Private words")
    worker.transport = ConsoleTransport(echo=lines.append, show_bodies=True)
    worker.run(until_empty=True)
    assert FAMILY in lines[-1] and "Private words" in lines[-1]
    db(console_app).dispose()


def test_without_twilio_numbers_development_notifications_are_printed_not_failed(
    app_settings, fake
):
    # A fresh development machine: no account, no TWILIO_FROM_NUMBER, no Messaging Service.
    for name in ("twilio_account_sid", "twilio_from_number", "twilio_messaging_service_sid"):
        app_settings[name] = ""
    console_app = create_app(app_settings)
    upgrade(db(console_app))
    row_id = queue(console_app, to=FAMILY, body="Private words")
    lines: list[str] = []
    worker = make_worker(console_app)
    worker.transport = ConsoleTransport(echo=lines.append)
    worker.run(until_empty=True)
    assert len(lines) == 1 and "would send message" in lines[0]
    row = outbox_row(console_app, row_id)
    assert row.status == "console" and row.error is None
    db(console_app).dispose()


def test_cli_drains_the_outbox_and_lists_without_personal_data(app, fake):
    queue(app, to=FAMILY, body="first")
    queue(app, to="whatsapp:" + ADVOCATE, body="second")
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["outbox", "work", "--until-empty"])
    assert result.exit_code == 0, result.output
    assert "outbox: 2 sent" in result.output
    assert sorted(m["body"] for m in fake.messages) == ["first", "second"]

    listed = runner.invoke(main, ["outbox", "list"])
    assert listed.exit_code == 0 and listed.output.count(" sent ") == 2
    assert FAMILY not in listed.output and "first" not in listed.output
    as_json = json.loads(runner.invoke(main, ["outbox", "list", "--json"]).output)
    assert [row["status"] for row in as_json] == ["sent", "sent"]


def test_hotline_serve_runs_the_worker_in_process(app, fake):
    [starter] = app.extensions["hotline_background"]
    queue(app, to=FAMILY, body="from the dev server")
    thread = starter(app)
    try:
        deadline = time.monotonic() + 10
        while not fake.messages and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        app.extensions["hotline_outbox_worker"].stop.set()
        thread.join(timeout=10)
    assert [m["body"] for m in fake.messages] == ["from the dev server"]
    assert not thread.is_alive()


def test_delete_erases_queued_messages_too(app, fake, twilio, family):
    queue(app, to=FAMILY, body="about your case", conversation_id=family)
    twilio.text("DELETE", sender=FAMILY)
    assert "erased all we had" in twilio.text("1", sender=FAMILY)
    assert {row.kind for row in outbox_rows(app)} <= {"erase"}  # Twilio's copies, by sid
    make_worker(app).run(until_empty=True)
    assert fake.messages == []


# --------------------------------------------------------------------------- settings
def test_delivery_settings_are_read_and_checked(tmp_path):
    settings = load_settings(
        {"HOTLINE_SEND_RATE": "0.5", "HOTLINE_SEND_MAX_ATTEMPTS": "3",
         "TWILIO_WHATSAPP_TEMPLATE_SID": TEMPLATE, "HOTLINE_SEND_TIMEOUT": "5",
         "HOTLINE_OUTBOX_LEASE": "30"},
        {"instance_path": tmp_path},
    )
    assert (settings.send_rate, settings.send_max_attempts) == (0.5, 3)
    assert settings.twilio_whatsapp_template_sid == TEMPLATE
    assert (settings.send_timeout, settings.outbox_lease) == (5.0, 30.0)
    assert isinstance(transport_for(replace(settings, twilio_account_sid="AC1",
                                            twilio_auth_token="t")), TwilioTransport)
    for environ, name in [({"HOTLINE_SEND_RATE": "-1"}, "HOTLINE_SEND_RATE"),
                          ({"HOTLINE_SEND_MAX_ATTEMPTS": "0"}, "HOTLINE_SEND_MAX_ATTEMPTS"),
                          ({"HOTLINE_OUTBOX_LEASE": "10"}, "HOTLINE_OUTBOX_LEASE"),
                          ({"TWILIO_API_BASE_URL": "localhost:1"}, "TWILIO_API_BASE_URL")]:
        with pytest.raises(ConfigError, match=name):
            load_settings(environ, {"instance_path": tmp_path})
