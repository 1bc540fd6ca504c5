"""Cases, DELETE, STOP and media through the webhook, stored as a person would find them."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from bot.storage.models import Case, Contact, Conversation, Message, OutboxMessage
from tests.utils.cli import run_cli
from tests.utils.outbox import conversation_of
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
    answers = ["yes",  # consent
               "1", "He has diabetes and no medicine",  # urgent: the case opens here
               "1", "Ana Ruiz", "El Salvador", "A123456789", "3/14/1985", "skip", "yesterday",
               "Dallas",
               "skip", "skip", "skip", "skip", "skip", "skip",  # court case ... fear
               "3",  # more than 10 years in the US
               "2",  # no children under 18
               "1", "metformin",  # daily medicine
               "1",  # their language: this chat's
               "1 5",  # factors: family, health
               "3",  # past arrest: not sure
               "1", "2",  # callback: this number; call in English
               "75201"]  # ZIP code
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
    assert case.answers["urgent_details"] == "He has diabetes and no medicine"
    assert case.answers["years_in_us"] == "over_10"  # a choice, not the years typed
    assert case.answers["medicine_details"] == "metformin"
    assert case.answers["criminal_history"] == "unsure"


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


def test_consent_declined_erases_what_the_conversation_stored_and_still_answers(twilio, app):
    other = "+15555550161"
    twilio.text("hi", sender=other)
    # A first text that tells the story leads straight to the consent question.
    twilio.text("ICE took my husband Pedro Gomez this morning", sender=SENDER)
    assert "Is that OK?" in twilio.text("1", sender=SENDER)
    ref = re.search(r"case number is (\S+)\.", twilio.text("AGENT", sender=SENDER)).group(1)
    twilio.text("", sender=SENDER, media=("https://api.twilio.com/Media/ME7",))
    assert [c.ref for c in all_rows(app, Case)] == [ref]

    reply = twilio.text("2", sender=SENDER)  # consent: no
    assert "We erased what you sent us" in reply
    assert "1 What is prosecutorial discretion?" in reply and "2 Talk to a person" in reply
    assert all_rows(app, Case) == []
    with Session(app.extensions["hotline"].db) as session:
        conversation = session.get(Conversation, conversation_of(app, SENDER))
        mine = session.exec(
            select(Message).where(Message.conversation_id == conversation.id)
        ).all()
        # Only the "No" and the answer to it are left; the story, the photo and the rest went.
        assert [m.body for m in mine if m.direction == "in"] == ["2"]
        assert all("Pedro" not in (m.body or "") and not m.media for m in mine)
        assert conversation.answers == {} and "media" not in conversation.data
    assert len(all_rows(app, Contact)) == 2  # the number stays, so the hotline can answer
    assert len([m for m in all_rows(app, Message) if m.body == "hi"]) == 1  # others untouched

    explanation = twilio.text("1", sender=SENDER)
    assert "ICE can choose not to arrest, hold or deport a person" in explanation
    assert "prosecutorial discretion" in explanation


def test_criminal_history_is_stored_as_a_choice_never_as_the_words_typed(twilio, app):
    twilio.text("hello", sender=SENDER)
    twilio.text("1", sender=SENDER)
    twilio.text("2", sender=SENDER)
    for answer in ("yes", "2"):  # consent; not urgent
        twilio.text(answer, sender=SENDER)
    for _ in range(30):  # skip the other questions (a bounded loop: consent is never skipped)
        reply = twilio.text("skip", sender=SENDER)
        if "Were they ever arrested or charged with a crime" in reply:
            break
    else:
        pytest.fail("the criminal history question never came")
    assert "Please do not write details here" in reply
    refused = twilio.text("he got a DUI in 2019 and paid a fine", sender=SENDER)
    assert "did not understand" in refused
    assert "1 Yes\n2 No\n3 Not sure" in refused
    assert "best number to call you" in twilio.text("1", sender=SENDER)
    twilio.text("1", sender=SENDER)  # callback: this number
    twilio.text("1", sender=SENDER)  # call language: this chat's
    review = twilio.text("skip", sender=SENDER)  # ZIP code
    assert "Past arrest or criminal case: Yes" in review
    twilio.text("ok", sender=SENDER)
    [case] = all_rows(app, Case)
    assert case.answers["criminal_history"] == "yes"
    assert "DUI" not in json.dumps(case.answers)


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
