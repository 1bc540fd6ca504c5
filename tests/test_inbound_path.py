"""The inbound hot path: batched statements on PostgreSQL, prepared statements switchable."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.config import load_settings
from bot.storage import crypto
from tests.conftest import PUBLIC_BASE_URL, TEST_TOKEN
from tests.utils.twilio import TwilioSender, new_sid, replies


def test_database_prepare_reads_on_and_off(tmp_path):
    assert load_settings({}, {"instance_path": tmp_path}).database_prepare is True
    off = load_settings({"DATABASE_PREPARE": "off"}, {"instance_path": tmp_path})
    assert off.database_prepare is False
    on = load_settings({"DATABASE_PREPARE": "Yes"}, {"instance_path": tmp_path})
    assert on.database_prepare is True


def prepared_statements(app) -> int:  # type: ignore[no-untyped-def]
    """Prepared statements on the pooled connection the webhook used (one test thread)."""
    with app.extensions["hotline"].db.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


def skip_unless_postgres(app) -> None:  # type: ignore[no-untyped-def]
    if app.extensions["hotline"].db.dialect.name != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter")


def test_the_hot_path_runs_prepared_on_postgres(twilio, app):
    skip_unless_postgres(app)
    for text in ("hello", "1", "menu", "1", "menu", "1", "menu"):
        twilio.text(text)
    assert prepared_statements(app) > 0


def test_with_database_prepare_off_families_are_answered_and_nothing_is_prepared(app_settings):
    app = create_app({**app_settings, "database_prepare": "off"})
    try:
        skip_unless_postgres(app)
        twilio = TwilioSender(app.test_client(), TEST_TOKEN, PUBLIC_BASE_URL)
        twilio.text("hello")
        assert "How can we help?" in twilio.text("1")
        for _ in range(3):
            assert "prosecutorial discretion" in twilio.text("1")
            assert "How can we help?" in twilio.text("menu")
        assert prepared_statements(app) == 0
    finally:
        app.extensions["hotline"].db.dispose()


def stored_replies(app, sid: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The bot's stored replies to one inbound MessageSid, in the order they were stored."""
    with app.extensions["hotline"].db.connect() as connection:
        bodies = connection.exec_driver_sql(
            "SELECT r.body FROM message r JOIN message m ON r.in_reply_to = m.id"
            f" WHERE m.message_sid = '{sid}' ORDER BY r.id"
        ).scalars()
        return [crypto.current().decrypt(body) for body in bodies]


@pytest.mark.parametrize("first", ["hello", "hola"])
def test_each_reply_is_stored_as_the_family_received_it(twilio, app, first):
    """The replies are written in one statement: every part, in the order it was sent."""
    for text in (first, "1", "more", "menu", "2"):
        sid = new_sid()
        response = twilio.send(text, sid=sid)
        assert response.status_code == 200
        sent = replies(response.data)
        assert sent and stored_replies(app, sid) == sent
        # Twilio's retry of the same message gets the same parts again.
        assert replies(twilio.send(text, sid=sid).data) == sent
