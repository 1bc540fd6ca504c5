"""The hotline through a real PgBouncer in transaction mode, as a deployment with several web
instances runs it (docs/scaling.md): the webhook answers and the outbox delivers.

PgBouncer hands each transaction whichever server connection is free. psycopg 3 prepares a
statement on the fifth run, and before PgBouncer 1.21 the statement stays behind on one server
connection; ``?prepare_threshold=none`` on DATABASE_URL turns preparing off.
"""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest
from sqlmodel import Session, select

from bot import create_app
from bot.storage.models import Message, OutboxMessage
from tests.conftest import TEST_TOKEN, _empty_postgres, _in_ci, make_settings
from tests.fake_twilio import FakeTwilio
from tests.utils import pgbouncer
from tests.utils.outbox import db, make_worker, queue
from tests.utils.twilio import TwilioSender

HOTLINE = "+15555550100"
ENGLISH, SPANISH = "+15555550131", "+15555550132"

if pgbouncer.binary() is None and not _in_ci():
    pytest.skip(
        "pgbouncer is not installed (apt-get install -y pgbouncer)", allow_module_level=True
    )
VERSION = pgbouncer.version(pgbouncer.binary() or "pgbouncer")
CARRIES_PREPARED = VERSION >= pgbouncer.PREPARED_SINCE


@pytest.fixture
def bouncer():  # type: ignore[no-untyped-def]
    """PgBouncer with two server connections; 1.21+ also carries prepared statements."""
    with pgbouncer.PgBouncer(pool_size=2, prepared=100 if CARRIES_PREPARED else 0) as server:
        yield server


def _database(postgres_url: str) -> str:
    _empty_postgres(postgres_url)
    return postgres_url.rsplit("/", 1)[1]


def rows(app, model):  # type: ignore[no-untyped-def]
    with Session(db(app)) as session:
        return list(session.exec(select(model)).all())


@pytest.mark.parametrize("prepare", ["none", "default"])
def test_conversation_and_outbox_through_pgbouncer(bouncer, postgres_url, tmp_path, prepare):  # type: ignore[no-untyped-def]
    if prepare == "default" and not CARRIES_PREPARED:
        pytest.skip(
            f"PgBouncer {VERSION[0]}.{VERSION[1]} cannot carry prepared statements (1.21 can); "
            "the test below shows them breaking"
        )
    threshold = None if prepare == "default" else prepare
    url = bouncer.url(_database(postgres_url), prepare_threshold=threshold)
    with FakeTwilio(auth_token=TEST_TOKEN) as fake:
        settings = make_settings(
            url, tmp_path, twilio_account_sid=fake.account_sid, twilio_api_base_url=fake.base_url,
            twilio_from_number=HOTLINE, send_rate=0, send_timeout=2,
        )
        app = create_app(settings)
        app.config["TESTING"] = True
        twilio = TwilioSender(app.test_client(), TEST_TOKEN, settings["public_base_url"])
        try:
            # Enough messages that every statement of the hot path runs more than five times.
            assert "This is the Family Hotline" in twilio.text("hello", sender=ENGLISH)
            assert "1 What is prosecutorial discretion?" in twilio.text("1", sender=ENGLISH)
            for _ in range(4):
                assert "prosecutorial discretion" in twilio.text("1", sender=ENGLISH)
                assert "1 What is prosecutorial discretion?" in twilio.text("menu", sender=ENGLISH)
            assert "Español" in twilio.text("hola", sender=SPANISH)
            assert "1 ¿Qué es la discreción procesal?" in twilio.text("1", sender=SPANISH)

            queue(app, to=ENGLISH, body="An advocate will call you today.")
            queue(app, to=SPANISH, body="Una persona le llamará hoy.")
            make_worker(app).run(until_empty=True)

            delivered = Counter((m["to"], m["body"]) for m in fake.messages)
            assert delivered == Counter({
                (ENGLISH, "An advocate will call you today."): 1,
                (SPANISH, "Una persona le llamará hoy."): 1,
            })
            assert {row.status for row in rows(app, OutboxMessage)} == {"sent"}
            inbound = [m for m in rows(app, Message) if m.direction == "in"]
            assert len(inbound) == 12 and len({m.message_sid for m in inbound}) == 12
        finally:
            db(app).dispose()


@pytest.mark.skipif(CARRIES_PREPARED, reason="this PgBouncer carries prepared statements")
def test_prepared_statements_break_through_old_pgbouncer_so_the_url_turns_them_off(
    bouncer, postgres_url
):  # type: ignore[no-untyped-def]
    """Why DATABASE_URL needs ?prepare_threshold=none in front of PgBouncer before 1.21."""
    database = _database(postgres_url)
    plain = bouncer.url(database, prepare_threshold=None).replace("+psycopg", "")

    def run(**options: object) -> None:
        first, second = psycopg.connect(plain, **options), psycopg.connect(plain, **options)
        try:
            with first.transaction():  # holds server connection 1
                first.execute("SELECT 1")
                for _ in range(6):  # prepared on server connection 2
                    second.execute("SELECT count(*) FROM message WHERE id > %s", (0,))
                    second.commit()
            for _ in range(2):  # server connection 1 is free again: the statement is not there
                second.execute("SELECT count(*) FROM message WHERE id > %s", (0,))
                second.commit()
        finally:
            first.close()
            second.close()

    with pytest.raises(psycopg.errors.InvalidSqlStatementName):
        run()  # psycopg's default: prepare on the fifth run
    run(prepare_threshold=None)  # what ?prepare_threshold=none does


@pytest.mark.parametrize("value", ["maybe", "-1", "1.5"])
def test_a_wrong_prepare_threshold_is_a_clear_settings_error(value, tmp_path):  # type: ignore[no-untyped-def]
    from bot.config import ConfigError, load_settings

    url = f"postgresql://postgres@127.0.0.1:6432/hotline?prepare_threshold={value}"
    with pytest.raises(ConfigError, match="DATABASE_URL: prepare_threshold must be none"):
        load_settings({"DATABASE_URL": url, "HOTLINE_ENV": "development"})
