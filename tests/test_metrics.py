"""Operators' metrics: /metrics after texts through the webhook and the outbox to fake Twilio."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_settings
from tests.test_inbox_browser import deliver_outbox, fake_twilio  # noqa: F401  (fixtures)
from tests.utils.advocates import FAMILY, Inbox, add_team, cli, ref_in

pytestmark = pytest.mark.usefixtures("fast_passwords")
TOKEN = "metrics-token-for-tests-0123456789abcdef"
WHATSAPP = "whatsapp:+15555550303"


@pytest.fixture
def app_settings(database_url: str, tmp_path: Path) -> dict[str, object]:
    return make_settings(database_url, tmp_path, metrics_token=TOKEN)


@pytest.fixture
def app(app_settings, fake_twilio):  # type: ignore[no-untyped-def]  # noqa: F811
    from bot import create_app
    from bot.storage.migrate import upgrade

    app = create_app(app_settings)
    upgrade(app.extensions["hotline"].db)
    yield app
    app.extensions["hotline"].db.dispose()


def scrape(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return response.get_data(as_text=True)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, parsed by prometheus_client: (name, labels) → value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text)[(name, tuple(sorted(labels.items())))]


# --------------------------------------------------------------------------- switched on or off
def test_metrics_are_off_by_default(database_url, tmp_path):
    from bot import create_app

    app = create_app(make_settings(database_url, tmp_path))
    try:
        response = app.test_client().get(
            "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert response.status_code == 404
    finally:
        app.extensions["hotline"].db.dispose()


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer "],
)
def test_metrics_need_the_bearer_token(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "hotline_" not in response.get_data(as_text=True)


def test_metrics_answer_the_right_token(client):
    text = scrape(client)
    assert value(text, "hotline_database_up") == 1
    assert value(text, "hotline_outbox_depth") == 0


def test_a_database_that_does_not_answer_is_a_metric_not_an_error(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from bot.metrics import database

    def down(*args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(database, "outbox_metrics", down)
    text = scrape(client)
    assert value(text, "hotline_database_up") == 0
    assert "hotline_outbox_depth" not in text


def test_a_short_token_is_refused_at_start_naming_the_setting(database_url, tmp_path):
    from bot import ConfigError, create_app

    with pytest.raises(ConfigError, match="HOTLINE_METRICS_TOKEN must be at least 24"):
        create_app(make_settings(database_url, tmp_path, metrics_token="secret"))


# --------------------------------------------------------------------------- what is counted
def test_scrape_counts_texts_outbox_cases_escalations_and_refused_logins(
    app, client, twilio, fake_twilio  # noqa: F811
):
    team = add_team(app)
    assert team
    twilio.text("hello")
    twilio.text("1")
    ref = ref_in(twilio.text("AGENT"))  # a case: the three advocates are told by SMS
    twilio.text("hola", sender=WHATSAPP)
    sid = "SM" + "d" * 32
    twilio.text("2", sender=WHATSAPP, sid=sid)
    twilio.text("2", sender=WHATSAPP, sid=sid)  # Twilio retries: the same message twice
    assert twilio.post("/twilio/messages", {"From": FAMILY, "Body": "x"}, "bad").status_code == 403

    before = scrape(client)
    assert value(before, "hotline_inbound_messages_total", channel="sms", result="answered") == 3
    assert value(before, "hotline_inbound_messages_total", channel="whatsapp",
                 result="answered") == 2
    assert value(before, "hotline_inbound_messages_total", channel="whatsapp",
                 result="duplicate") == 1
    assert value(before, "hotline_inbound_messages_total", channel="sms", result="refused") == 1
    assert value(before, "hotline_webhook_duration_seconds_count") == 7
    assert value(before, "hotline_outbox_depth") == 3
    assert value(before, "hotline_outbox_messages", status="pending") == 3
    assert value(before, "hotline_outbox_oldest_pending_age_seconds") >= 0
    assert value(before, "hotline_unclaimed_cases", urgency="normal", age="under_5m") == 1
    assert value(before, "hotline_unclaimed_cases", urgency="urgent", age="under_5m") == 0
    assert value(before, "hotline_escalations_total", step="everyone") == 0

    deliver_outbox(app)
    assert len(fake_twilio.messages) == 3
    app.extensions["advocates"].clock.advance(minutes=11)  # nobody claimed it
    assert cli(app, "advocate", "escalate").exit_code == 0
    assert Inbox(client).login("ana@example.org", "not her password").status_code == 401

    after = scrape(client)
    assert value(after, "hotline_outbox_messages", status="sent") == 3
    assert value(after, "hotline_outbox_depth") == 3  # the escalation's reminders
    assert value(after, "hotline_escalations_total", step="everyone") == 1
    assert value(after, "hotline_logins_refused_total", reason="wrong_password") == 1
    assert value(after, "hotline_logins_refused_total", reason="locked_out") == 0
    deliver_outbox(app)
    assert value(scrape(client), "hotline_outbox_depth") == 0
    # Nothing about anyone in a label: no number, no text, no case reference.
    for secret in ("5555550101", "5555550303", "hello", "hola", ref, "Ana"):
        assert secret not in after


def test_cases_waiting_longer_fall_in_older_buckets(app, client, twilio):
    from datetime import timedelta

    from sqlmodel import Session

    from bot.storage.clock import utcnow
    from bot.storage.models import Case

    add_team(app)
    twilio.text("hello")
    twilio.text("1")
    ref = ref_in(twilio.text("AGENT"))
    with Session(app.extensions["hotline"].db) as session:
        from sqlmodel import select

        case = session.exec(select(Case).where(Case.ref == ref)).one()
        case.created_at = utcnow() - timedelta(minutes=90)
        case.urgent = True
        session.add(case)
        session.commit()
    text = scrape(client)
    assert value(text, "hotline_unclaimed_cases", urgency="urgent", age="1h_to_4h") == 1
    assert sum(
        v for (name, _), v in samples(text).items() if name == "hotline_unclaimed_cases"
    ) == 1


def test_scrape_passes_promtool_check_metrics(app, client, twilio):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    add_team(app)
    twilio.text("hello")
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=scrape(client), capture_output=True, text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --------------------------------------------------------------------------- gunicorn -w 2
@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """The hotline under gunicorn with two workers and its own gunicorn.conf.py, on SQLite."""
    from tests.utils.gunicorn import serve

    with serve(tmp_path, {"HOTLINE_METRICS_TOKEN": TOKEN}) as base_url:
        yield base_url


def test_two_gunicorn_workers_count_every_text_whichever_answers_the_scrape(gunicorn):
    from tests.utils.gunicorn import get, post_signed

    texts = 12
    for n in range(texts):
        assert post_signed(gunicorn, f"+1555555{n:04d}", "hello") == 200
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Each scrape is answered by either worker; every one must see all twelve texts.
    for _ in range(6):
        status, text = get(gunicorn + "/metrics", auth)
        assert status == 200
        assert value(text, "hotline_inbound_messages_total", channel="sms",
                     result="answered") == texts
        assert value(text, "hotline_webhook_duration_seconds_count") == texts
    assert get(gunicorn + "/metrics", {})[0] == 401
