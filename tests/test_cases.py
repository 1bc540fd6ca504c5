"""Cases, DELETE, STOP and media through the webhook, stored as a person would find them."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from bot.storage.models import Case, Contact, Conversation, Message, OutboxMessage
from tests.utils.cli import run_cli
from tests.utils.twilio import replies

SENDER = "+15555550160"


def all_rows(app, model):  # type: ignore[no-untyped-def]
    with Session(app.extensions["hotline"].db) as session:
        return session.exec(select(model)).all()


def intake_to_review(twilio, sender: str = SENDER, fresh: bool = True) -> None:
    if fresh:
        twilio.text("hello", sender=sender)
        twilio.text("1", sender=sender)
    else:
        twilio.text("menu", sender=sender)
    twilio.text("2", sender=sender)
    answers = ["1", "Ana Ruiz", "3/14/1985", "El Salvador", "A123456789", "yesterday",
               "Dallas", "skip", "1", "He has diabetes and no medicine", "15", "1 5",
               "skip", "1", "2", "yes"]
    for answer in answers:
        twilio.text(answer, sender=sender)


def test_finished_intake_creates_one_urgent_case_with_a_readable_reference(twilio, app):
    intake_to_review(twilio)
    reply = twilio.text("ok", sender=SENDER)
    cases = all_rows(app, Case)
    assert len(cases) == 1
    case = cases[0]
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{3}-[34679ACDEFGHJKMNPQRTUVWXY]{3}", case.ref)
    assert f"Your case number is {case.ref}" in reply
    assert case.urgent is True
    assert case.kind == "intake"
    assert case.language == "en"
    assert case.answers["name"] == "Ana Ruiz"
    assert case.answers["a_number"] == "123456789"
    assert case.answers["factors"] == ["family", "health"]


def test_agent_then_intake_is_still_one_case(twilio, app):
    twilio.text("hi", sender=SENDER)
    twilio.text("1", sender=SENDER)
    first = twilio.text("AGENT", sender=SENDER)
    ref = all_rows(app, Case)[0].ref
    assert ref in first
    assert ref in twilio.text("agent", sender=SENDER)  # asking again changes nothing
    intake_to_review(twilio, fresh=False)
    twilio.text("ok", sender=SENDER)
    cases = all_rows(app, Case)
    assert len(cases) == 1
    assert cases[0].kind == "intake" and cases[0].answers["name"] == "Ana Ruiz"


def test_cases_list_json_has_no_personal_data(twilio, app):
    intake_to_review(twilio)
    twilio.text("ok", sender=SENDER)
    result = run_cli(app, ["cases", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 1
    row = rows[0]
    assert {"ref", "status", "urgent", "language", "channel", "created_at"} <= set(row)
    assert row["urgent"] is True and row["status"] == "new" and row["channel"] == "sms"
    assert "Ana" not in result.output and "5555550160" not in result.output
    full = json.loads(run_cli(app, ["cases", "list", "--json", "--full"]).output)
    assert full[0]["answers"]["name"] == "Ana Ruiz"


def test_cases_list_is_an_empty_array_at_first(app):
    result = run_cli(app, ["cases", "list", "--json"])
    assert json.loads(result.output) == []


def test_delete_erases_every_row_about_the_number(twilio, app):
    other = "+15555550161"
    twilio.text("hi", sender=other)
    intake_to_review(twilio)
    twilio.text("ok", sender=SENDER)
    twilio.text("", sender=SENDER, media=("https://api.twilio.com/Media/ME9",))
    with Session(app.extensions["hotline"].db) as session:
        from bot.outbox import enqueue

        conversation_id = session.exec(select(Case.conversation_id)).one()
        enqueue(session, to=SENDER, kind="advocate_reply", body="We got it",
                conversation_id=conversation_id)
        session.commit()
    assert "Are you sure?" in twilio.text("DELETE", sender=SENDER)
    reply = twilio.text("1", sender=SENDER)
    assert "We erased all we had" in reply
    assert all_rows(app, Case) == []
    # What stays queued is the deletion of the family's messages at Twilio: sids, no number.
    left = all_rows(app, OutboxMessage)
    assert {row.kind for row in left} <= {"erase"}
    assert all(row.to == "" and row.body is None and row.conversation_id is None for row in left)
    assert len(all_rows(app, Contact)) == 1  # only the other texter is left
    assert len(all_rows(app, Conversation)) == 1
    assert {m.conversation_id for m in all_rows(app, Message)} == {
        all_rows(app, Conversation)[0].id
    }
    # Texting again is a first contact.
    assert "This is the Family Hotline" in twilio.text("hello", sender=SENDER)


def test_stop_sends_nothing_until_start(twilio, app):
    twilio.text("hi", sender=SENDER)
    stop = twilio.send("STOP", sender=SENDER)
    assert stop.status_code == 200
    assert replies(stop.data) == []
    assert all_rows(app, Contact)[0].opted_out is True
    assert replies(twilio.send("1", sender=SENDER).data) == []
    assert replies(twilio.send("help", sender=SENDER).data) == []
    back = twilio.text("START", sender=SENDER)
    assert "Welcome back" in back
    assert all_rows(app, Contact)[0].opted_out is False


def test_media_is_stored_on_conversation_and_case(twilio, app):
    twilio.text("hi", sender=SENDER)
    twilio.text("1", sender=SENDER)
    twilio.text("", sender=SENDER, media=("https://api.twilio.com/Media/ME1",))
    twilio.text("agent", sender=SENDER)
    twilio.text("", sender=SENDER, media=("https://api.twilio.com/Media/ME2",
                                          "https://api.twilio.com/Media/ME3"))
    case = all_rows(app, Case)[0]
    assert case.media == [
        "https://api.twilio.com/Media/ME1",
        "https://api.twilio.com/Media/ME2",
        "https://api.twilio.com/Media/ME3",
    ]
    assert len(all_rows(app, Conversation)[0].data["media"]) == 3


def test_whatsapp_case_records_its_channel(twilio, app):
    sender = "whatsapp:+15555550170"
    twilio.text("hi", sender=sender)
    twilio.text("1", sender=sender)
    twilio.text("5", sender=sender)
    assert all_rows(app, Case)[0].channel == "whatsapp"
