"""Hearings: recorded on the case page or by SMS, reminders held back until their time and then
delivered through the outbox to the fake Twilio, in the family's language; changes, STOP and
DELETE."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.outbox import SCHEDULED
from bot.storage.advocates import AuditEntry
from bot.storage.hearings import Hearing, HearingDetails
from tests.test_outbox import TEMPLATE, app, fake  # noqa: F401  (fixtures: a fake Twilio)
from tests.utils.advocates import (
    Clock,
    Inbox,
    add_advocate,
    case_of,
    open_agent_case,
    open_intake_case,
    outbox,
    rows,
    transcript,
    use_clock,
)
from tests.utils.outbox import FakeClock, make_worker

pytestmark = pytest.mark.usefixtures("fast_passwords")
FAMILY, ANA, STRANGER = "+15555550101", "+15555550201", "+15555550299"
# A Tuesday hearing at 9:00 in New York (EST, UTC-5), recorded five weeks before.
RECORDED_AT = datetime(2029, 12, 10, 15, 0, tzinfo=UTC)
HEARING = {"date": "2030-01-15", "time": "09:00", "zone": "America/New_York",
           "court": "Chicago Immigration Court", "mode": "in_person"}
SEVEN_DAYS = datetime(2030, 1, 8, 14, 0, tzinfo=UTC)
ONE_DAY = datetime(2030, 1, 14, 14, 0, tzinfo=UTC)
MORNING = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)  # 7:00 in New York
EN_WHEN = "Tuesday, January 15, 2030, 9:00 AM, at Chicago Immigration Court"
ES_WHEN = "martes, 15 de enero de 2030, 9:00, en Chicago Immigration Court"


@pytest.fixture
def ana(app, client):  # type: ignore[no-untyped-def]  # noqa: F811
    use_clock(app, Clock(RECORDED_AT))
    add_advocate(app, "Ana Ruiz", ANA, "ana@example.org", ("en", "es"))
    inbox = Inbox(client)
    assert inbox.login("ana@example.org").status_code == 302
    return inbox


def open_spanish_case(twilio, sender: str = FAMILY) -> str:  # type: ignore[no-untyped-def]
    """A family that picks Spanish and asks for a person; returns the case reference."""
    twilio.text("hola", sender=sender)
    twilio.text("Español", sender=sender)
    reply = twilio.text("AGENTE", sender=sender)
    found = re.search(r"caso es ([A-Z0-9]{3}-[A-Z0-9]{3})", reply)
    assert found, reply
    return found.group(1)


def save_hearing(inbox: Inbox, ref: str, **changes: str) -> str:
    """Fill and send the case page's hearing form; the page that follows."""
    response = inbox.act(ref, "hearing", **{**HEARING, **changes})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def due(app) -> list:  # type: ignore[no-untyped-def]  # noqa: F811  (the imported fixture)
    return sorted(r.next_attempt_at.replace(tzinfo=UTC) for r in outbox(app, "hearing_reminder")
                  if r.status == SCHEDULED)


def deliver_at(app, moment: datetime) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_worker(app, FakeClock(moment)).run(until_empty=True)


# --------------------------------------------------------------------------- the case page
def test_a_hearing_recorded_on_the_case_page_tells_the_family_and_queues_reminders(
    app, twilio, ana, fake  # noqa: F811
):
    ref = open_agent_case(twilio)
    page = save_hearing(ana, ref)
    assert "Hearing saved. The family was told the date" in page
    assert "Tuesday, January 15, 2030 at 09:00 (Eastern)" in page
    [notice] = outbox(app, "hearing_notice")
    assert notice.body == (
        f"Family Hotline: your advocate wrote down the court hearing for case {ref}: {EN_WHEN}. "
        "Go to the court in person. We will text you reminders before it."
    )
    assert due(app) == [SEVEN_DAYS, ONE_DAY, MORNING]
    # Stored encrypted: the court is nowhere in the table as written.
    with app.extensions["hotline"].db.connect() as connection:
        raw = connection.execute(text("SELECT details FROM hearing")).scalar_one()
    assert "Chicago" not in raw and "2030" not in raw
    [hearing] = rows(app, Hearing)
    assert HearingDetails.of(hearing).court == "Chicago Immigration Court"
    assert "hearing" in [entry.action for entry in rows(app, AuditEntry)]


def test_reminders_reach_the_family_at_their_time_in_english(app, twilio, ana, fake):  # noqa: F811
    ref = open_agent_case(twilio)
    save_hearing(ana, ref)
    reminder = (
        f"Reminder from the Family Hotline. Case {ref} has a court hearing on {EN_WHEN}. Go to "
        "the court in person. If you cannot go, reply AGENT now to talk to an advocate."
    )
    # Before its time the reminder is not a sent message anywhere: not at Twilio, not in the
    # transcript, not on the case page.
    deliver_at(app, SEVEN_DAYS - timedelta(minutes=1))
    to_family = [m["body"] for m in fake.messages if m["to"] == FAMILY]
    assert to_family[-1].startswith("Family Hotline: your advocate")
    assert reminder not in [m["body"] for m in fake.messages]
    waiting = [m for m in transcript(app, ref) if m.body == reminder]
    assert {m.status for m in waiting} == {SCHEDULED}
    page = ana.page(f"/inbox/cases/{ref}")
    transcript_part = page.split('aria-label="Transcript"')[1].split("</section>")[0]
    assert "Reminder from the Family Hotline" not in transcript_part
    assert "Reminders to the family (not sent yet): 2030-01-08 09:00" in page

    deliver_at(app, SEVEN_DAYS + timedelta(seconds=1))
    assert [m["body"] for m in fake.messages].count(reminder) == 1
    assert fake.messages[-1]["to"] == FAMILY
    deliver_at(app, MORNING + timedelta(seconds=1))
    assert [m["body"] for m in fake.messages].count(reminder) == 3
    sent = [m for m in transcript(app, ref) if m.body == reminder]
    assert {m.status for m in sent} == {"sent"}


def test_reminders_reach_a_spanish_speaking_family_in_spanish(app, twilio, ana, fake):  # noqa: F811
    ref = open_spanish_case(twilio)
    save_hearing(ana, ref, court="Chicago Immigration Court", mode="video")
    [notice] = outbox(app, "hearing_notice")
    assert notice.body == (
        f"Family Hotline: su defensor anotó la audiencia en la corte del caso {ref}: {ES_WHEN}. "
        "La audiencia es por video. Le vamos a mandar recordatorios antes."
    )
    deliver_at(app, ONE_DAY + timedelta(seconds=1))
    assert fake.messages[-1]["body"] == (
        f"Recordatorio de Family Hotline: audiencia en la corte del caso {ref} el {ES_WHEN}. "
        "La audiencia es por video. Si no puede ir, responda AGENTE ahora para hablar con un "
        "defensor."
    )


def test_a_court_in_another_time_zone_is_named_with_its_zone(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    save_hearing(ana, ref, zone="America/Chicago", time="08:30")
    assert "Tuesday, January 15, 2030, 8:30 AM CST, at" in outbox(app, "hearing_notice")[0].body
    # 8:30 in Chicago is 14:30 UTC; the morning reminder is 7:00 there.
    assert due(app) == [datetime(2030, 1, 8, 14, 30, tzinfo=UTC),
                        datetime(2030, 1, 14, 14, 30, tzinfo=UTC),
                        datetime(2030, 1, 15, 13, 0, tzinfo=UTC)]


def test_a_change_takes_back_the_old_reminders_and_tells_the_new_date(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    save_hearing(ana, ref)
    page = save_hearing(ana, ref, date="2030-02-05", time="13:00")
    assert "Tuesday, February 5, 2030 at 13:00 (Eastern)" in page
    notices = [row.body for row in outbox(app, "hearing_notice")]
    assert notices[-1] == (
        f"Family Hotline: the court hearing for case {ref} has changed. New date: Tuesday, "
        "February 5, 2030, 1:00 PM, at Chicago Immigration Court. Go to the court in person. "
        "We will text you reminders before it."
    )
    assert due(app) == [datetime(2030, 1, 29, 18, 0, tzinfo=UTC),
                        datetime(2030, 2, 4, 18, 0, tzinfo=UTC),
                        datetime(2030, 2, 5, 12, 0, tzinfo=UTC)]
    # The old reminders are gone from the transcript too: they were never sent.
    assert not [m for m in transcript(app, ref) if m.body and "January 15" in m.body
                and m.body.startswith("Reminder")]
    [hearing] = rows(app, Hearing)
    assert hearing.status == "changed"


def test_reminders_already_past_are_not_queued(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    use_clock(app, Clock(datetime(2030, 1, 13, 15, 0, tzinfo=UTC)))  # two days before
    save_hearing(ana, ref)
    assert due(app) == [ONE_DAY, MORNING]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"date": "2029-11-01"}, "That date and time have already passed."),
        ({"date": "15/01/2030"}, "Write the date of the hearing, like 2027-01-15."),
        ({"time": "nine"}, "Write the time of the hearing, like 09:00."),
        ({"court": "  "}, "Write the court"),
        ({"zone": "Mars/Olympus"}, "Choose the time zone of the court from the list."),
        ({"mode": "carrier pigeon"}, "Choose in person or video."),
    ],
)
def test_a_wrong_hearing_form_says_what_to_fix_and_saves_nothing(
    app, twilio, ana, changes, error  # noqa: F811
):
    ref = open_agent_case(twilio)
    page = save_hearing(ana, ref, **changes)
    assert error in page
    assert rows(app, Hearing) == [] and outbox(app, "hearing_notice") == []


def test_the_familys_answer_fills_the_form_to_confirm(app, twilio, ana):  # noqa: F811
    ref = open_intake_case(twilio)  # the family wrote "December 8 in Houston"
    page = ana.page(f"/inbox/cases/{ref}")
    assert "The family wrote: <span class=\"words\">December 8 in Houston</span>" in page
    assert "Confirm this date" in page
    filled = ana.page(f"/inbox/cases/{ref}?hearing=family")
    # Read as the next December 8 after the family wrote it.
    written = case_of(app, ref).created_at.date()
    expected = date(written.year, 12, 8)
    expected = expected if expected >= written else date(written.year + 1, 12, 8)
    assert f'name="date" value="{expected.isoformat()}"' in filled
    assert "The form below is filled from the family's answer." in filled


# --------------------------------------------------------------------------- by SMS
def test_a_hearing_by_sms_is_recorded_and_cancelled_by_sms(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    reply = twilio.text(f"hearing {ref.replace('-', '').lower()} 1/15/2030 9am video "
                        "Chicago Immigration Court", sender=ANA)
    assert reply == (f"Hearing of case {ref} recorded for Tue Jan 15, 2030 at 09:00 "
                     "(America/New_York). The family was told and will get reminders.")
    [hearing] = rows(app, Hearing)
    details = HearingDetails.of(hearing)
    assert (details.court, details.mode) == ("Chicago Immigration Court", "video")
    assert len(due(app)) == 3

    reply = twilio.text(f"HEARING {ref} CANCEL", sender=ANA)
    assert reply == (f"The hearing of case {ref} is cancelled. The family was told; "
                     "no more reminders.")
    assert due(app) == [] and rows(app, Hearing)[0].status == "cancelled"
    assert outbox(app, "hearing_notice")[-1].body == (
        f"Family Hotline: your advocate says the court hearing for case {ref} on Tuesday, "
        "January 15, 2030 is cancelled. We will not send reminders for it."
    )
    assert twilio.text(f"HEARING {ref} CANCEL", sender=ANA) == (
        f"Case {ref} has no hearing ahead to cancel.")


@pytest.mark.parametrize(
    "command",
    ["HEARING {ref}", "HEARING {ref} tomorrow morning", "HEARING {ref} 2/30/2030 9:00 court",
     "HEARING {ref} 1/15/2030 court", "HEARING {ref} 1/15/2020 9:00 Old Court",
     "HEARING {ref} 1/15/2030 9:00"],
)
def test_a_wrong_hearing_by_sms_gets_a_reply_saying_how(app, twilio, ana, command):  # noqa: F811
    ref = open_agent_case(twilio)
    reply = twilio.text(command.format(ref=ref), sender=ANA)
    assert reply  # an answer, never silence or an error page
    assert any(hint in reply for hint in ("HEARING K7F-3QX 2027-01-15 9:00", "already passed",
                                          "Write the court"))
    assert rows(app, Hearing) == []


def test_hearing_from_a_number_that_is_not_an_advocate_is_an_ordinary_text(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    twilio.text("hello", sender=STRANGER)
    twilio.text(f"HEARING {ref} 1/15/2030 9:00 court", sender=STRANGER)
    assert rows(app, Hearing) == []


# --------------------------------------------------------------------------- STOP and DELETE
def test_a_family_that_texted_stop_gets_no_reminder(app, twilio, ana, fake):  # noqa: F811
    ref = open_agent_case(twilio)
    save_hearing(ana, ref)
    twilio.text("STOP")
    deliver_at(app, MORNING + timedelta(seconds=1))
    assert [m for m in fake.messages if "Reminder" in m["body"]] == []
    assert {r.status for r in outbox(app, "hearing_reminder")} == {"failed"}
    assert {r.error_code for r in outbox(app, "hearing_reminder")} == {21610}


def test_delete_erases_the_hearing_and_its_reminders(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    save_hearing(ana, ref)
    twilio.text("DELETE")
    twilio.text("1")
    assert rows(app, Hearing) == []
    assert outbox(app, "hearing_reminder") == [] and outbox(app, "hearing_notice") == []
    with pytest.raises(IndexError):
        case_of(app, ref)


def test_the_purge_erases_the_hearing_of_an_old_closed_case(app, twilio, ana):  # noqa: F811
    from bot.advocates.purge import purge
    from bot.storage.db import transaction

    ref = open_agent_case(twilio)
    save_hearing(ana, ref)
    ana.act(ref, "claim")
    ana.act(ref, "close")
    with transaction(app.extensions["hotline"].db) as session:
        purge(session, RECORDED_AT + timedelta(days=400), timedelta(days=90))
    assert rows(app, Hearing) == []


def test_a_whatsapp_family_outside_the_window_gets_the_approved_template(
    app, twilio, ana, fake  # noqa: F811
):
    wa = "whatsapp:" + FAMILY
    ref = open_agent_case(twilio, sender=wa)
    save_hearing(ana, ref)
    deliver_at(app, SEVEN_DAYS - timedelta(minutes=1))  # the notice, inside the window
    fake.fail_next(1, 400, 63016, "Failed to send freeform message outside the window")
    make_worker(app, FakeClock(SEVEN_DAYS + timedelta(seconds=1)),
                template_sid=TEMPLATE).run(until_empty=True)
    last = fake.messages[-1]
    assert (last["to"], last["content_sid"], last["body"]) == (wa, TEMPLATE, "")
    first = min(outbox(app, "hearing_reminder"), key=lambda row: row.next_attempt_at)
    assert (first.status, first.template_fallback) == ("sent", True)


# --------------------------------------------------------------------------- settings
def test_reminder_times_come_from_the_setting():
    from bot.hearings import ReminderPlan

    plan = ReminderPlan(before=("2d", "3h"), zone="America/New_York")
    at = datetime(2030, 1, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert plan.times(at, RECORDED_AT) == [datetime(2030, 1, 13, 14, 0, tzinfo=UTC),
                                           datetime(2030, 1, 15, 11, 0, tzinfo=UTC)]
    assert ReminderPlan(before=()).times(at, RECORDED_AT) == []


@pytest.mark.parametrize("value", ["7x", "0d", "tomorrow", "7d,soon"])
def test_a_wrong_reminder_setting_stops_the_hotline_naming_it(value):
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="HOTLINE_HEARING_REMINDERS"):
        load_settings({"HOTLINE_HEARING_REMINDERS": value})
    with pytest.raises(ConfigError, match="HOTLINE_COURT_TIMEZONE"):
        load_settings({"HOTLINE_COURT_TIMEZONE": "Mars/Olympus"})
    assert load_settings({"HOTLINE_HEARING_REMINDERS": "none"}).hearing_reminders == []
