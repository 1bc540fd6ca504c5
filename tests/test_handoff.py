"""Handoff: who is told about a new case, what the SMS says, and escalation over time."""

from __future__ import annotations

import pytest

from bot.advocates.jobs import run_due
from bot.storage.advocates import CaseEvent, Handoff
from tests.utils.advocates import (
    PERSONAL,
    add_advocate,
    case_of,
    open_agent_case,
    open_intake_case,
    outbox,
    ref_in,
    rows,
    two_locales,
    use_clock,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")
ANA, BEN, CRUZ, DORA = "+15555550201", "+15555550202", "+15555550203", "+15555550204"


@pytest.fixture
def app_settings(app_settings, tmp_path):  # type: ignore[no-untyped-def]
    app_settings["locales_dir"] = two_locales(tmp_path)
    return app_settings


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    """Ana speaks Spanish, Ben English; Cruz is on call only at night; Dora is an admin."""
    add_advocate(app, "Ana", ANA, "ana@example.org", ("es", "en"))
    add_advocate(app, "Ben", BEN, "ben@example.org", ("en",))
    add_advocate(app, "Cruz", CRUZ, None, ("es",), windows=("daily 22:00-06:00",))
    add_advocate(app, "Dora", DORA, "dora@example.org", ("en",), role="admin",
                 windows=("sat 10:00-12:00",))


def told(app, ref: str) -> list[str]:  # type: ignore[no-untyped-def]
    case = case_of(app, ref)
    return sorted(r.to for r in outbox(app, kind="notify") if r.case_id == case.id)


def timeline(app, ref: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    case = case_of(app, ref)
    events = rows(app, CaseEvent, CaseEvent.case_id == case.id)
    return [(e.kind, (e.detail or {}).get("step")) for e in events]


def test_spanish_case_goes_first_to_on_call_spanish_speakers(app, twilio, team):
    use_clock(app)
    ref = open_agent_case(twilio, language="Spanish")
    assert case_of(app, ref).language == "es"
    # Cruz speaks Spanish but is off call on a Monday morning; Ben does not speak it.
    assert told(app, ref) == [ANA]
    assert timeline(app, ref) == [("opened", None), ("notified", "language")]


def test_without_an_on_call_speaker_every_on_call_advocate_is_told(app, twilio):
    add_advocate(app, "Ben", BEN, "ben@example.org", ("en",))
    add_advocate(app, "Eva", "+15555550205", "eva@example.org", ("fr",))
    use_clock(app)
    ref = open_agent_case(twilio, language="Spanish")
    assert told(app, ref) == [BEN, "+15555550205"]
    assert timeline(app, ref)[-1] == ("notified", "on_call")


def test_notification_sms_has_ref_language_urgency_and_link_but_nothing_personal(
    app, twilio, team
):
    use_clock(app)
    ref = open_intake_case(twilio, language="Spanish", story="Mi esposo Juan fue detenido hoy")
    [sms] = [r for r in outbox(app, kind="notify") if r.to == ANA]
    assert sms.body == (
        f"Hotline: new case {ref}, Spanish (es), URGENT. Reply CLAIM {ref} or open "
        f"https://hotline.example.org/inbox/cases/{ref}"
    )
    for secret in PERSONAL:
        assert secret not in sms.body
    assert sms.conversation_id is None  # not part of the family's transcript


def test_unclaimed_case_escalates_every_ten_minutes_then_stops(app, twilio, team):
    clock = use_clock(app)
    desk = app.extensions["advocates"]
    start = clock.now
    ref = open_agent_case(twilio, language="Spanish")
    assert told(app, ref) == [ANA]

    assert run_due(desk, start.replace(minute=9, second=59), purge_daily=False)["escalated"] == 0
    assert told(app, ref) == [ANA]

    run_due(desk, start.replace(minute=10), purge_daily=False)  # the others on call
    assert told(app, ref) == [ANA, BEN]
    run_due(desk, start.replace(minute=20), purge_daily=False)  # everyone on call, again
    assert told(app, ref) == [ANA, ANA, BEN, BEN]
    run_due(desk, start.replace(minute=30), purge_daily=False)  # the admins
    assert told(app, ref) == [ANA, ANA, BEN, BEN, DORA]
    assert run_due(desk, start.replace(minute=59), purge_daily=False)["escalated"] == 0
    assert timeline(app, ref) == [
        ("opened", None),
        ("notified", "language"),
        ("escalated", "on_call"),
        ("escalated", "everyone"),
        ("escalated", "admins"),
    ]
    reminder = [r for r in outbox(app, kind="notify") if r.to == ANA][1]
    assert f"case {ref} is still unclaimed after 20 min" in reminder.body


def test_urgent_case_escalates_after_three_minutes(app, twilio, team):
    clock = use_clock(app)
    desk = app.extensions["advocates"]
    ref = open_intake_case(twilio, language="Spanish")
    assert case_of(app, ref).urgent
    assert run_due(desk, clock.advance(minutes=2), purge_daily=False)["escalated"] == 0
    assert run_due(desk, clock.advance(minutes=1), purge_daily=False)["escalated"] == 1
    assert told(app, ref) == [ANA, BEN]


def test_urgent_answer_tells_advocates_at_once_and_escalates_while_the_family_answers(
    app, twilio, team
):
    clock = use_clock(app)
    desk = app.extensions["advocates"]
    for text in ("hello", "Spanish", "2", "1"):  # Spanish, someone was arrested, consent
        twilio.text(text)
    ref = ref_in(twilio.text("1"))  # urgent: yes
    assert told(app, ref) == [ANA]  # at once, before any other answer
    assert timeline(app, ref) == [("opened", None), ("notified", "language")]
    twilio.text("they said he will be moved tomorrow")
    twilio.text("2")  # spouse
    # Three minutes unclaimed: the next advocates are told, the questions not yet finished.
    assert run_due(desk, clock.advance(minutes=3), purge_daily=False)["escalated"] == 1
    assert told(app, ref) == [ANA, BEN]
    assert case_of(app, ref).answers["relationship"] == "spouse"


def test_escalation_minutes_are_settings(tmp_path):
    from bot.config import load_settings

    settings = load_settings(
        environ={"HOTLINE_ESCALATE_MINUTES": "25", "HOTLINE_ESCALATE_URGENT_MINUTES": "5"},
        overrides={"instance_path": tmp_path},
    )
    assert (settings.escalate_minutes, settings.escalate_urgent_minutes) == (25, 5)


def test_claimed_case_stops_escalating(app, twilio, team):
    from bot.advocates import casework, roster
    from bot.storage.db import transaction

    clock = use_clock(app)
    desk = app.extensions["advocates"]
    ref = open_agent_case(twilio, language="Spanish")
    with transaction(app.extensions["hotline"].db) as session:
        ana = roster.find(session, ANA)
        casework.claim(session, desk, casework.find_case(session, ref), ana, clock.now)
    assert run_due(desk, clock.advance(minutes=45), purge_daily=False)["escalated"] == 0
    assert told(app, ref) == [ANA]
    assert rows(app, Handoff)[0].escalate_at is None


def test_nobody_on_call_goes_straight_to_the_admins(app, twilio):
    add_advocate(app, "Cruz", CRUZ, None, ("es",), windows=("daily 22:00-06:00",))
    add_advocate(app, "Dora", DORA, "dora@example.org", ("en",), role="admin",
                 windows=("sat 10:00-12:00",))
    use_clock(app)
    ref = open_agent_case(twilio)
    assert told(app, ref) == [DORA]
    assert timeline(app, ref)[-1] == ("notified", "admins")


def test_night_window_covers_the_early_hours_of_the_next_day(app, twilio, team):
    from datetime import UTC, datetime

    from tests.utils.advocates import Clock

    # Tuesday 03:00 in New York: Cruz's Monday 22:00-06:00 window.
    use_clock(app, Clock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)))
    ref = open_agent_case(twilio, language="Spanish")
    assert CRUZ in told(app, ref)


def test_deactivated_advocate_is_not_told(app, twilio, team):
    from bot.advocates import roster
    from bot.storage.db import transaction

    with transaction(app.extensions["hotline"].db) as session:
        roster.deactivate(session, roster.find(session, ANA))
    use_clock(app)
    ref = open_agent_case(twilio, language="Spanish")
    assert ANA not in told(app, ref)


def test_agent_then_intake_is_one_case_updated(app, twilio, team):
    use_clock(app)
    ref = open_agent_case(twilio)
    twilio.text("MENU")
    twilio.text("2")
    from tests.utils.advocates import INTAKE

    for answer in INTAKE:
        twilio.text(answer)
    reply = twilio.text("OK")
    assert ref in reply
    case = case_of(app, ref)
    assert (case.kind, case.urgent) == ("intake", True)
    assert timeline(app, ref)[-1] == ("updated", None)
    assert len(rows(app, Handoff)) == 1
