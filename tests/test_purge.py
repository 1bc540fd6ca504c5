"""Retention: `hotline purge` and the worker's daily pass erase old closed cases and idle
conversations, keeping only anonymous counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.advocates.jobs import run_due
from bot.storage.advocates import CaseEvent, CaseNote, Handoff, RetentionCount
from bot.storage.models import Case, Contact, Conversation, Message
from tests.utils.advocates import (
    Clock,
    Inbox,
    add_advocate,
    cli,
    open_agent_case,
    rows,
    use_clock,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")
OLD_FAMILY, WAITING_FAMILY, WRONG_NUMBER = "+15555550111", "+15555550112", "+15555550113"


@pytest.fixture
def history(app, client, twilio):  # type: ignore[no-untyped-def]
    """A closed case with a note, an open case, and a stranger who only said hello."""
    clock = use_clock(app, Clock(datetime.now(UTC)))
    add_advocate(app)
    inbox = Inbox(client)
    inbox.login()
    closed = open_agent_case(twilio, sender=OLD_FAMILY)
    inbox.act(closed, "notes", body="Aunt Rosa has the papers")
    inbox.act(closed, "claim")
    inbox.act(closed, "close")
    waiting = open_agent_case(twilio, sender=WAITING_FAMILY)
    twilio.text("hello", sender=WRONG_NUMBER)
    return {"closed": closed, "waiting": waiting, "clock": clock}


def test_nothing_is_purged_before_the_retention_period(app, history):
    from bot.advocates.purge import purge
    from bot.storage.db import transaction

    with transaction(app.extensions["hotline"].db) as session:
        done = purge(session, history["clock"].now + timedelta(days=89), timedelta(days=90))
    assert done.as_dict() == {"cases": 0, "conversations": 0, "messages": 0}
    assert len(rows(app, Case)) == 2 and len(rows(app, Conversation)) == 3


def test_purge_erases_old_closed_cases_and_idle_conversations_and_keeps_counts(app, history):
    history["clock"].advance(days=91)
    result = cli(app, "purge")
    assert result.exit_code == 0, result.output
    assert "erased 1 case(s), 2 conversation(s)" in result.output
    # The open case and its family stay, however old.
    assert [c.ref for c in rows(app, Case)] == [history["waiting"]]
    assert len(rows(app, Conversation)) == 1 and len(rows(app, Contact)) == 1
    for table in (CaseNote,):
        assert rows(app, table) == []
    assert {e.case_id for e in rows(app, CaseEvent)} == {rows(app, Case)[0].id}
    assert len(rows(app, Handoff)) == 1
    counts = {(c.what, c.language, c.channel, c.urgent): c.count for c in rows(app, RetentionCount)}
    assert counts == {("case", "en", "sms", False): 1, ("conversation", "en", "sms", False): 1,
                      ("conversation", "", "sms", False): 1}
    # What is left says nothing about anyone.
    with app.extensions["hotline"].db.connect() as connection:
        from sqlalchemy import text

        dump = str(connection.execute(text("SELECT * FROM retention_count")).all())
    assert "Rosa" not in dump and "5555550111" not in dump


def test_closed_case_of_a_family_still_writing_is_purged_but_not_their_conversation(
    app, history
):
    from bot.advocates.purge import purge
    from bot.storage.db import transaction

    later = history["clock"].now + timedelta(days=80)
    with Session(app.extensions["hotline"].db) as session:
        case = session.exec(select(Case).where(Case.ref == history["closed"])).one()
        conversation = session.get(Conversation, case.conversation_id)
        conversation.last_active = later
        session.add(conversation)
        session.commit()
        conversation_id = conversation.id
    with transaction(app.extensions["hotline"].db) as session:
        done = purge(session, history["clock"].now + timedelta(days=91), timedelta(days=90))
    assert history["closed"] not in [c.ref for c in rows(app, Case)]
    assert conversation_id in [c.id for c in rows(app, Conversation)]
    # Their messages from before the cutoff are gone too.
    assert rows(app, Message, Message.conversation_id == conversation_id) == []
    assert done.cases == 1 and done.messages > 0


def test_the_worker_purges_once_a_day(app, history):
    desk = app.extensions["advocates"]
    first = run_due(desk, history["clock"].now + timedelta(days=91))
    assert first["purged"]["cases"] == 1
    assert "purged" not in run_due(desk, history["clock"].now + timedelta(days=91, hours=2))
    assert "purged" in run_due(desk, history["clock"].now + timedelta(days=92, hours=1))


def test_retention_days_is_a_setting(tmp_path):
    from bot.config import load_settings

    settings = load_settings(
        environ={"HOTLINE_RETENTION_DAYS": "30"}, overrides={"instance_path": tmp_path}
    )
    assert settings.retention_days == 30
