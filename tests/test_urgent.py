"""The urgent fast lane through the webhook: "Is it urgent? → Yes" reaches an advocate's phone at
once, and every later answer fills in that same case."""

from __future__ import annotations

import pytest

from bot.storage.advocates import CaseEvent, Handoff
from bot.storage.models import Case
from tests.conftest import TEST_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.utils.advocates import (
    FAMILY,
    INTAKE,
    Inbox,
    add_advocate,
    case_of,
    outbox,
    ref_in,
    rows,
    state_of,
    use_clock,
)
from tests.utils.outbox import make_worker
from tests.utils.twilio import HOTLINE_NUMBER

pytestmark = pytest.mark.usefixtures("fast_passwords")
ANA, BEN = "+15555550201", "+15555550202"
URGENT_AT = INTAKE.index("they said he will be moved tomorrow") - 1  # the "1" to "Is it urgent?"


@pytest.fixture
def fake(app_settings):  # type: ignore[no-untyped-def]
    """The fake Twilio REST server the outbox worker delivers the advocates' SMS to."""
    with FakeTwilio(auth_token=TEST_TOKEN) as server:
        app_settings.update(
            twilio_account_sid=server.account_sid,
            twilio_api_base_url=server.base_url,
            twilio_from_number=HOTLINE_NUMBER,
            send_rate=0,
        )
        yield server


@pytest.fixture
def app(fake, app):  # type: ignore[no-untyped-def]
    """The suite's app, made once the fake Twilio server is in its settings."""
    return app


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    use_clock(app)
    add_advocate(app, "Ana Ruiz", ANA, "ana@example.org", ("en",))
    add_advocate(app, "Ben Ortiz", BEN, None, ("en",))


def phones(fake: FakeTwilio, app) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Deliver what is queued, as the worker does; then what each advocate's phone got."""
    make_worker(app).run(until_empty=True)
    got: dict[str, list[str]] = {}
    for message in fake.messages:
        got.setdefault(message["to"], []).append(message["body"])
    return got


def to_the_urgent_question(twilio) -> None:  # type: ignore[no-untyped-def]
    twilio.text("hello")
    twilio.text("1")  # English
    twilio.text("2")  # someone was arrested
    for answer in INTAKE[:URGENT_AT]:  # consent
        twilio.text(answer)


def summary_page(app, ref: str) -> str:  # type: ignore[no-untyped-def]
    inbox = Inbox(app.test_client())
    inbox.login("ana@example.org")
    page = inbox.page(f"/inbox/cases/{ref}")
    return page[page.index('aria-label="Summary"'):page.index('aria-label="Transcript"')]


def test_urgent_yes_reaches_the_advocates_phones_before_the_next_answer(app, fake, twilio, team):
    to_the_urgent_question(twilio)
    assert rows(app, Case) == [] and phones(fake, app) == {}  # consent alone opens nothing

    reply = twilio.text(INTAKE[URGENT_AT])  # "1": yes, it is urgent
    assert "We are telling an advocate now. Your case number is" in reply
    assert "Please tell us what is happening" in reply  # the questions go on
    ref = ref_in(reply)
    case = case_of(app, ref)
    assert (case.kind, case.urgent, case.answers) == (
        "intake", True, {"consent": "yes", "urgent": "yes"}
    )
    notice = (
        f"Hotline: new case {ref}, English (en), URGENT. Reply CLAIM {ref} or open "
        f"https://hotline.example.org/inbox/cases/{ref}"
    )
    # Nothing else answered yet, and both phones have the notice.
    assert phones(fake, app) == {ANA: [notice], BEN: [notice]}


def test_later_answers_fill_in_the_same_case_and_ok_keeps_one_case(app, fake, twilio, team):
    to_the_urgent_question(twilio)
    ref = ref_in(twilio.text(INTAKE[URGENT_AT]))
    early = summary_page(app, ref)
    assert "URGENT" in early
    assert "(skipped)" not in early  # not asked yet is not skipped
    assert "Juan Perez Lopez" not in early

    answers = iter(INTAKE[URGENT_AT + 1:])
    for answer in answers:
        twilio.text(answer)
        if answer == "A123456789":
            break
    stored = case_of(app, ref).answers
    assert stored["urgent_details"] == "they said he will be moved tomorrow"
    assert stored["name"] == "Juan Perez Lopez"
    assert stored["a_number"] == "123456789"
    assert state_of(app, FAMILY) == "dob"
    now = summary_page(app, ref)
    assert "they said he will be moved tomorrow" in now
    assert "Juan Perez Lopez" in now and "A-123-456-789" in now
    assert "Born" not in now  # the next question, not answered yet

    for answer in answers:
        twilio.text(answer)
    sent = twilio.text("OK")
    assert f"Sent. Your case number is {ref}." in sent
    [case] = rows(app, Case)  # one case, not a second one at the end
    assert case.ref == ref and case.urgent
    assert case.answers["criminal_history"] == "yes" and case.answers["medicine"] == "yes"
    assert "Needs daily medicine" in summary_page(app, ref)
    # The advocates were told once, at the urgent answer; the end of the questions is an update.
    assert [r.to for r in outbox(app, kind="notify")] == [ANA, BEN]
    assert len(phones(fake, app)[ANA]) == 1
    assert [e.kind for e in rows(app, CaseEvent)] == ["opened", "notified", "updated"]
    assert len(rows(app, Handoff)) == 1
