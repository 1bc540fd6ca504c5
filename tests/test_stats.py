"""Numbers for organizers: scripted conversations through the webhook, then `hotline stats`
and `/inbox/stats` count them; a purge leaves every number as it was."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from bot.conversation.sms import segment_info
from bot.storage.advocates import DailyCount
from bot.storage.clock import aware
from bot.storage.models import Conversation
from tests import test_inbox_browser as inbox_browser
from tests.conftest import TEST_TOKEN
from tests.fake_twilio import num_segments
from tests.utils.advocates import (
    Clock,
    Inbox,
    add_advocate,
    case_of,
    cli,
    ref_in,
    rows,
    state_of,
    use_clock,
)
from tests.utils.twilio import TwilioSender, replies

pytestmark = pytest.mark.usefixtures("fast_passwords")
EN_AGENT, ES_URGENT, ES_NO, EN_STOPS, STRANGER = (
    "+15555550301", "+15555550302", "+15555550303", "+15555550304", "+15555550305",
)
DORA = "+15555550204"
PRICE = 0.0079


class _Later:
    """A WSGI app given to the server before the hotline exists (its address is a setting)."""

    app: Any = None

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.app(environ, start_response)


# The fake Twilio REST server the outbox delivers to, as the inbox browser test sets it up.
fake_twilio = inbox_browser.fake_twilio


@pytest.fixture
def app(app_settings, fake_twilio):  # type: ignore[no-untyped-def]
    """The hotline served on 127.0.0.1, so the fake Twilio's status callbacks reach it."""
    from bot import create_app
    from bot.storage.migrate import upgrade

    later = _Later()
    http = make_server("127.0.0.1", 0, later, threaded=True)
    app_settings["public_base_url"] = f"http://127.0.0.1:{http.server_port}"
    app_settings["sms_segment_price"] = PRICE
    later.app = create_app(app_settings)
    upgrade(later.app.extensions["hotline"].db)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield later.app
    http.shutdown()
    later.app.extensions["hotline"].db.dispose()


@pytest.fixture
def twilio(client, app) -> TwilioSender:  # type: ignore[no-untyped-def]
    return TwilioSender(client, TEST_TOKEN, app.extensions["advocates"].base_url)


class Script:
    """Families texting, every reply kept, an advocate working cases at chosen moments."""

    def __init__(self, app: Any, twilio: TwilioSender, inbox: Inbox, clock: Clock):
        self.app, self.twilio, self.inbox, self.clock = app, twilio, inbox, clock
        self.replies: dict[str, list[str]] = {}

    def text(self, sender: str, *bodies: str) -> str:
        reply = ""
        for body in bodies:
            response = self.twilio.send(body, sender=sender)
            assert response.status_code == 200
            parts = replies(response.data)
            self.replies.setdefault(sender, []).extend(parts)
            reply = "\n".join(parts)
        return reply

    def claim_after(self, ref: str, minutes: float) -> None:
        self.clock.now = aware(case_of(self.app, ref).created_at) + timedelta(minutes=minutes)
        assert "You hold this case" in self.inbox.act(ref, "claim").get_data(as_text=True)


def deliver(app: Any) -> None:
    result = cli(app, "outbox", "work", "--until-empty")
    assert result.exit_code == 0, result.output


@pytest.fixture
def scripted(app, client, twilio, fake_twilio) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Five numbers text in English and Spanish; two cases are claimed, one closed, and two
    messages to a family come back undelivered."""
    clock = use_clock(app, Clock(datetime.now(UTC)))
    add_advocate(app, "Dora Admin", DORA, "dora@example.org", ("en", "es"), role="admin")
    inbox = Inbox(client)
    inbox.login("dora@example.org")
    script = Script(app, twilio, inbox, clock)

    agent = ref_in(script.text(EN_AGENT, "hello", "1", "AGENT"))
    script.text(ES_URGENT, "la migra agarró a mi esposo hoy", "español")
    assert state_of(app, ES_URGENT) == "consent"
    opened = script.text(ES_URGENT, "1", "1")  # consent, urgent: the case opens
    urgent = re.search(r"Su número de caso es ([A-Z0-9]{3}-[A-Z0-9]{3})", opened).group(1)
    script.text(ES_URGENT, "lo van a mover mañana")  # then silence at the relationship question
    script.text(ES_NO, "la migra agarró a mi hijo", "español", "2")  # no consent
    script.text(EN_STOPS, "hello", "1", "2", "1", "2", "2")  # consent, not urgent, spouse
    assert state_of(app, EN_STOPS) == "name"
    script.text(STRANGER, "hello")

    script.claim_after(agent, 4)
    script.claim_after(urgent, 2)
    script.inbox.act(agent, "reply", body="Hi, this is Dora. I will call you in ten minutes.")
    script.inbox.act(agent, "close")
    deliver(app)
    to_family = [m for m in fake_twilio.messages if m["to"] == EN_AGENT]
    assert len(to_family) == 2  # the reply and the closing message
    assert fake_twilio.callback(to_family[0]["sid"], "undelivered", error_code=30003) == 200
    assert fake_twilio.callback(to_family[1]["sid"], "undelivered", error_code=30005) == 200
    clock.advance(hours=25)  # long enough for the silent ones to count as stopped
    return {"script": script, "clock": clock, "agent": agent, "urgent": urgent}


def stats_json(app: Any, *args: str) -> dict[str, Any]:
    result = cli(app, "stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_funnel_counts_first_texts_languages_intake_consent_and_cases(app, scripted):
    numbers = stats_json(app)
    assert numbers["funnel"]["totals"] == {
        "first_text": 5, "language_chosen": 4, "intake_started": 3, "consent_given": 2,
        "case_opened": 2, "case_claimed": 2, "case_closed": 1,
    }
    by_language = {row["language"]: row for row in numbers["funnel"]["by_language"]}
    assert set(by_language) == {"en", "es", ""}
    assert by_language["es"]["first_text"] == 2 and by_language["es"]["consent_given"] == 1
    assert by_language["es"]["case_opened"] == 1 and by_language["es"]["case_closed"] == 0
    assert by_language["en"]["intake_started"] == 1 and by_language["en"]["case_closed"] == 1
    assert by_language[""] == {"language": "", "first_text": 1, **{
        step: 0 for step in numbers["funnel"]["steps"] if step != "first_text"}}
    assert len(numbers["funnel"]["by_day"]) == 30
    for step, total in numbers["funnel"]["totals"].items():
        assert sum(day[step] for day in numbers["funnel"]["by_day"]) == total


def test_drop_off_is_counted_at_the_question_where_families_went_silent(app, scripted):
    stopped = {row["question"]: row for row in stats_json(app)["stopped"]}
    assert stopped["relationship"]["count"] == 1
    assert stopped["relationship"]["by_language"] == {"es": 1}
    assert stopped["name"]["count"] == 1 and stopped["name"]["by_language"] == {"en": 1}
    assert sum(row["count"] for row in stopped.values()) == 2  # no consent is not a drop-off
    assert list(stopped)[0] == "consent"  # in the order the questions are asked


def test_a_conversation_is_not_counted_as_stopped_before_the_idle_time(app, scripted):
    scripted["clock"].advance(hours=-24)  # 1 hour after the last texts
    assert all(row["count"] == 0 for row in stats_json(app)["stopped"])


def test_time_to_claim_by_urgency_and_language_against_escalation(app, scripted):
    rows_ = stats_json(app)["time_to_claim"]
    every = {row["urgency"]: row for row in rows_ if row["language"] == ""}
    assert every["urgent"]["median_minutes"] == 2.0 and every["urgent"]["p90_minutes"] == 2.0
    assert every["urgent"]["escalation_minutes"] == 3.0
    assert every["urgent"]["within_escalation"] == 1
    assert every["normal"]["median_minutes"] == 4.0 and every["normal"]["claimed"] == 1
    assert every["normal"]["escalation_minutes"] == 10.0
    assert {(r["urgency"], r["language"]) for r in rows_ if r["language"]} == {
        ("urgent", "es"), ("normal", "en")
    }


def test_sms_messages_segments_and_cost_match_what_was_sent(app, scripted, fake_twilio):
    script = scripted["script"]
    numbers = stats_json(app)["messages"]
    # "No" to consent erases what that family's conversation stored, the replies included,
    # except the answer to the "no" itself.
    script.replies[ES_NO] = script.replies[ES_NO][-1:]
    replies = [body for bodies in script.replies.values() for body in bodies]
    sent = replies + [m["body"] for m in fake_twilio.messages]
    assert numbers["messages"] == len(sent)
    assert numbers["segments"] == sum(num_segments(body) for body in sent)
    assert numbers["segment_price"] == PRICE
    assert numbers["cost"] == round(numbers["segments"] * PRICE, 2)
    [stranger] = [row for row in numbers["rows"] if row["language"] == ""]
    [menu] = script.replies[STRANGER]
    assert (stranger["messages"], stranger["segments"]) == (1, segment_info(menu).segments)
    spanish = [row for row in numbers["rows"] if row["language"] == "es"]
    assert spanish and spanish[0]["channel"] == "sms"


def test_delivery_failures_are_counted_by_twilio_error_code(app, scripted):
    failures = stats_json(app)["failures"]
    assert [(row["code"], row["count"]) for row in failures] == [(30003, 1), (30005, 1)]
    assert failures[0]["reason"] == "unreachable: the phone is off or out of service"


def test_numbers_are_the_same_after_a_purge(app, scripted):
    scripted["clock"].advance(days=91)
    before = stats_json(app, "--days", "120")
    conversations = len(rows(app, Conversation))
    result = cli(app, "purge")
    assert result.exit_code == 0, result.output
    assert len(rows(app, Conversation)) < conversations  # the purge did erase families
    assert rows(app, DailyCount)
    assert stats_json(app, "--days", "120") == before
    assert before["funnel"]["totals"]["first_text"] == 5
    with app.extensions["hotline"].db.connect() as connection:
        kept = str(connection.execute(text("SELECT * FROM daily_count")).all())
    assert "5555550" not in kept and "Dora" not in kept and "mover" not in kept


def test_stats_json_shape(app, scripted):
    numbers = stats_json(app, "--days", "7")
    assert set(numbers) == {
        "from", "to", "days", "funnel", "stopped", "time_to_claim", "messages", "failures"
    }
    assert numbers["days"] == 7 and len(numbers["funnel"]["by_day"]) == 7
    assert numbers["to"] == scripted["clock"].now.date().isoformat()
    assert set(numbers["messages"]) == {
        "segment_price", "currency", "rows", "messages", "segments", "cost"
    }
    assert set(numbers["time_to_claim"][0]) == {
        "urgency", "language", "claimed", "median_minutes", "p90_minutes",
        "escalation_minutes", "within_escalation",
    }
    text_output = cli(app, "stats").output
    assert "First text" in text_output and "5555550" not in text_output


def test_stats_refuses_a_bad_number_of_days(app):
    result = cli(app, "stats", "--days", "0")
    assert result.exit_code == 2 and "--days" in result.output


def test_the_stats_page_shows_tables_and_svg_charts_to_admins(app, client, scripted):
    inbox = scripted["script"].inbox
    page = inbox.page("/inbox/stats/")
    assert "<h1>Numbers</h1>" in page
    assert 'src="/inbox/stats/funnel.svg?days=30"' in page
    assert "<td>First text</td><td>5</td>" in page
    assert "<td>30003</td>" in page
    for name in ("funnel", "days", "stopped", "claims", "messages", "failures"):
        response = client.get(f"/inbox/stats/{name}.svg?days=30")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert "<svg" in svg and "<script" not in svg
    assert client.get("/inbox/stats/nothing.svg").status_code == 404
    for wrong in ("banana", "0", "9" * 5000, "３0", "-3"):  # the default range, not an error
        assert "From " in inbox.page(f"/inbox/stats/?days={wrong}")
        assert client.get(f"/inbox/stats/days.svg?days={wrong}").status_code == 200
    for personal in ("5555550", "mover mañana", "Dora Admin</td>"):
        assert personal not in page


def test_the_stats_are_for_admins_only(app, client, scripted):
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    advocate = Inbox(app.test_client())
    advocate.login("ana@example.org")
    assert advocate.get("/inbox/stats/").status_code == 403
    assert advocate.get("/inbox/stats/funnel.svg").status_code == 403
    assert "Numbers" not in advocate.page("/inbox/")
    stranger = app.test_client()
    assert stranger.get("/inbox/stats/").status_code in (302, 401)
    assert stranger.get("/inbox/stats/funnel.svg").status_code in (302, 401)


def test_a_wrong_segment_price_stops_the_hotline_naming_the_setting(tmp_path):
    from bot.config import ConfigError, load_settings

    for wrong in ("abc", "-0.01", "nan"):
        with pytest.raises(ConfigError, match="HOTLINE_SMS_SEGMENT_PRICE"):
            load_settings({"HOTLINE_SMS_SEGMENT_PRICE": wrong}, {"instance_path": tmp_path})
    assert load_settings({}, {"instance_path": tmp_path}).sms_segment_price == 0.0083


def test_the_migrations_build_the_counts_table_and_indexes_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection),
                                           SQLModel.metadata)
    finally:
        engine.dispose()
    mine = [d for d in differences if "daily_count" in str(d) or "_created_at" in str(d)
            or "closed_at" in str(d) or "kind_at" in str(d)]
    assert mine == []
