"""Advocates by SMS: CLAIM, <ref> <text> and CLOSE from their registered number only."""

from __future__ import annotations

import pytest

from bot.storage.advocates import AuditEntry
from tests.utils.advocates import (
    FAMILY,
    add_advocate,
    case_of,
    conversation_of,
    open_agent_case,
    outbox,
    rows,
    transcript,
    use_clock,
)
from tests.utils.twilio import inbound_form, replies_text

pytestmark = pytest.mark.usefixtures("fast_passwords")
ANA, BEN, STRANGER = "+15555550201", "+15555550202", "+15555550299"


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    use_clock(app)
    add_advocate(app, "Ana Ruiz", ANA, "ana@example.org")
    add_advocate(app, "Ben Ortiz", BEN, None)


def test_claim_by_sms_claims_the_case_and_quiets_the_bot(app, twilio, team):
    ref = open_agent_case(twilio)
    reply = twilio.text(f"claim {ref.lower().replace('-', '')}", sender=ANA)
    assert reply == f"You hold case {ref}. Text {ref} then your message to write to the family."
    assert case_of(app, ref).status == "claimed"
    assert conversation_of(app, ref).data["held"] is True
    assert "sms_claim" in [e.action for e in rows(app, AuditEntry)]


def test_relay_both_ways_between_family_and_advocate_by_sms(app, twilio, team):
    ref = open_agent_case(twilio)
    twilio.text(f"CLAIM {ref}", sender=ANA)
    # Family → advocate: the bot is quiet, the holder gets a link (never the text).
    assert twilio.text("They moved him to Conroe", sender=FAMILY) == ""
    notice = outbox(app, kind="notify", to=ANA)[-1]
    assert notice.body.startswith(f"Hotline: new message on case {ref}.")
    assert "Conroe" not in notice.body
    # Advocate → family: through the hotline number, in the family's transcript.
    reply = twilio.text(f"{ref} Got it. I am calling Conroe now.", sender=ANA)
    assert reply == f"Sent to the family of case {ref}."
    [row] = outbox(app, kind="advocate_reply")
    assert (row.to, row.body) == (FAMILY, "Got it. I am calling Conroe now.")
    assert transcript(app, ref)[-1].author == "advocate"
    # The advocate's own command is not in the family's transcript.
    assert all(ref not in (m.body or "") or m.author != "family" for m in transcript(app, ref))


def test_text_to_an_unclaimed_case_claims_it_and_sends(app, twilio, team):
    ref = open_agent_case(twilio)
    assert twilio.text(f"{ref}: hello", sender=ANA) == f"Sent to the family of case {ref}."
    assert case_of(app, ref).status == "claimed"
    assert outbox(app, kind="advocate_reply")[0].body == "hello"


def test_close_by_sms_closes_and_sends_the_closing_message(app, twilio, team):
    ref = open_agent_case(twilio)
    twilio.text(f"CLAIM {ref}", sender=ANA)
    reply = twilio.text(f"CLOSE {ref}", sender=ANA)
    assert reply == f"Case {ref} is closed. The family got the closing message."
    assert case_of(app, ref).status == "closed"
    assert outbox(app, kind="closing")[0].to == FAMILY
    assert "How can we help?" in twilio.text("MENU", sender=FAMILY)


def test_another_advocates_case_is_refused_by_sms(app, twilio, team):
    ref = open_agent_case(twilio)
    twilio.text(f"CLAIM {ref}", sender=ANA)
    assert twilio.text(f"CLAIM {ref}", sender=BEN) == f"Case {ref} is already held by Ana Ruiz."
    assert twilio.text(f"CLOSE {ref}", sender=BEN) == f"Case {ref} is held by Ana Ruiz."
    assert twilio.text(f"{ref} hi", sender=BEN) == f"Case {ref} is already held by Ana Ruiz."
    assert outbox(app, kind="advocate_reply") == []


def test_commands_from_any_other_number_get_the_ordinary_conversation(app, twilio, team):
    ref = open_agent_case(twilio)
    reply = twilio.text(f"CLAIM {ref}", sender=STRANGER)
    assert "This is the Family Hotline" in reply  # a stranger's first message: the welcome
    twilio.text("1", sender=STRANGER)
    twilio.text(f"{ref} give me the case", sender=STRANGER)
    twilio.text(f"CLOSE {ref}", sender=STRANGER)
    assert case_of(app, ref).status == "new"
    assert outbox(app, kind="advocate_reply") == []


def test_deactivated_advocate_is_an_ordinary_texter(app, twilio, team):
    from bot.advocates import roster
    from bot.storage.db import transaction

    with transaction(app.extensions["hotline"].db) as session:
        roster.deactivate(session, roster.find(session, ANA))
    ref = open_agent_case(twilio)
    assert "This is the Family Hotline" in twilio.text(f"CLAIM {ref}", sender=ANA)
    assert case_of(app, ref).status == "new"


def test_advocate_who_writes_something_else_gets_the_commands(app, twilio, team):
    reply = twilio.text("hello?", sender=ANA)
    assert reply.startswith("Hotline advocate commands: CLAIM K7F-3QX")
    assert twilio.text("CLAIM ZZZ-ZZZ", sender=ANA) == "No case ZZZ-ZZZ."


def test_a_retried_command_is_carried_out_once(app, twilio, team):
    ref = open_agent_case(twilio)
    twilio.text(f"CLAIM {ref}", sender=ANA)
    form = inbound_form(f"{ref} only once please", sender=ANA, sid="SM" + "e" * 32)
    first = twilio.post("/twilio/messages", form)
    second = twilio.post("/twilio/messages", form)
    sent = f"Sent to the family of case {ref}."
    assert replies_text(first.data) == replies_text(second.data) == sent
    assert len(outbox(app, kind="advocate_reply")) == 1


def test_advocate_commands_leave_no_text_or_number_in_the_logs(app, twilio, team, caplog):
    caplog.set_level("DEBUG")
    ref = open_agent_case(twilio)
    twilio.text(f"{ref} Su esposo Pedro sale mañana", sender=ANA)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Pedro" not in logged and "5555550201" not in logged and "5555550101" not in logged
