"""The referral card: asked a ZIP code, a family gets their consulate, help near them and the
national lines after the case, and again on REFERRALS; advocates see the same list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import create_app
from bot.conversation.sms import segment_info
from bot.storage.models import Message, OutboxMessage
from tests.conftest import ROOT, TEST_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.utils.advocates import (
    INTAKE,
    Inbox,
    add_advocate,
    conversation_with,
    ref_in,
    rows,
    state_of,
    use_clock,
)
from tests.utils.outbox import make_worker
from tests.utils.twilio import replies

pytestmark = pytest.mark.usefixtures("fast_passwords")

HOTLINE = "+15555550100"
FAMILY = "+15555550123"
COUNTRY = INTAKE.index("guatemala")  # where the intake asks the country of birth
HOUSTON_HELP = """
resources:
  - id: houston_legal_aid
    kind: legal_aid
    name:
      en: "Houston Immigrant Legal Aid"
      es: "Ayuda Legal para Inmigrantes de Houston"
    phone: "713-555-0142"
    languages: ["en", "es"]
    zips: ["770"]
    source: "a test entry"
    as_of: 2026-11-30
  - id: texas_bond_fund
    kind: bond_fund
    name: "Texas Bond Fund"
    web: "example.org/bond"
    states: ["TX"]
    source: "a test entry"
    as_of: 2026-11-30
"""


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    with FakeTwilio(auth_token=TEST_TOKEN) as server:
        yield server


@pytest.fixture
def app_settings(app_settings, fake, tmp_path):  # type: ignore[no-untyped-def]
    """The app sends its outbox to the fake Twilio and reads the shipped directory plus two
    places near Houston."""
    folder = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", folder)
    (folder / "houston.yaml").write_text(HOUSTON_HELP, encoding="utf-8")
    app_settings.update(
        twilio_account_sid=fake.account_sid, twilio_api_base_url=fake.base_url,
        twilio_from_number=HOTLINE, send_rate=0, send_timeout=2, resources_dir=folder,
    )
    return app_settings


def intake(twilio, *, language: str, country: str, zip_answer: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Answer every question (this country, this ZIP answer) and send; returns the messages
    of the reply (TwiML <Message>s)."""
    twilio.text("hello", sender=FAMILY)
    twilio.text(language, sender=FAMILY)
    if state_of(twilio.client.application, FAMILY) == "menu":
        twilio.text("2", sender=FAMILY)
    answers = [*INTAKE[:-1], zip_answer]
    answers[COUNTRY] = country
    for answer in answers:
        twilio.text(answer, sender=FAMILY)
    assert state_of(twilio.client.application, FAMILY) == "review"
    response = twilio.send("OK" if language == "1" else "enviar", sender=FAMILY)
    return replies(response.data)


def card_after(app, fake: FakeTwilio, messages: list[str]) -> str:  # type: ignore[no-untyped-def]
    """The card: a message on its own after the confirmation, before the one question left
    (news by text, asked last); nothing more goes out to the family."""
    *confirmation, card, question = messages
    assert question.endswith(("\n1 Yes\n2 No", "\n1 Sí\n2 No")), question
    assert confirmation and all(card not in text for text in confirmation)
    make_worker(app).run(until_empty=True)
    assert [m for m in fake.messages if m["to"] == FAMILY] == []
    return card


def test_english_intake_is_followed_by_one_card_with_consulate_local_help_and_national_lines(
    app, twilio, fake
):
    messages = intake(twilio, language="1", country="Mexico", zip_answer="my zip is 77002")
    assert "Your case number is" in messages[0]
    card = card_after(app, fake, messages)
    assert card.startswith("Other places that can help.\n")
    assert "Consulate of Mexico (CIAM): (520) 623-7874" in card
    assert "Houston Immigrant Legal Aid: (713) 555-0142" in card
    assert card.endswith("\nText REFERRALS to get this list again.")
    lines = card.splitlines()
    # Nearest first: the consulate, help by ZIP, help in the state, then the national lines.
    assert lines[1:5] == [
        "Consulate of Mexico (CIAM): (520) 623-7874",
        "Houston Immigrant Legal Aid: (713) 555-0142",
        "Texas Bond Fund: example.org/bond",
        "Find a detained person: locator.ice.gov",
    ]
    assert "Example Legal Aid" not in card  # the starter's example is never sent
    assert segment_info(card).segments <= 3


@pytest.mark.parametrize("typed", ["México", "mexico"])
def test_spanish_intake_card_is_in_spanish_with_the_consulate_of_the_country_as_typed(
    app, twilio, fake, typed
):
    messages = intake(twilio, language="Spanish", country=typed, zip_answer="77002")
    assert "Su número de caso es" in messages[0]
    card = card_after(app, fake, messages)
    assert card.startswith("Otros lugares que pueden ayudar:\n")
    assert "Consulado de México (CIAM): (520) 623-7874" in card
    assert "Ayuda Legal para Inmigrantes de Houston: (713) 555-0142" in card
    assert "Escriba REFERENCIAS para recibir esta lista otra vez." in card
    assert "Teléfono de ICE para detenidos: (888) 351-4024" in card


def test_skipped_zip_and_country_give_the_national_lines_only(app, twilio, fake):
    card = card_after(app, fake, intake(twilio, language="1", country="skip", zip_answer="skip"))
    assert card.splitlines()[1:-1] == [
        "Find a detained person: locator.ice.gov",
        "ICE detention info line: (888) 351-4024",
        "Immigration court line (A-number): (800) 898-7180",
    ]


def test_a_country_with_no_confirmed_line_gets_the_ministry_web_address(app, twilio, fake):
    messages = intake(twilio, language="1", country="guatemala", zip_answer="skip")
    card = card_after(app, fake, messages)
    assert "Consulates of Guatemala: minex.gob.gt" in card


@pytest.mark.parametrize(
    ("language", "sorry", "ask", "can_skip", "label"),
    [
        ("1", "Sorry, I did not understand that.", "What is your ZIP code, like 90210?",
         "If you don't know, reply SKIP.", "ZIP code: 77002"),
        ("Spanish", "Perdón, no le entendí.", "¿Cuál es su código postal (ZIP), como 90210?",
         "Si no sabe, responda NO SÉ.", "Código postal: 77002"),
    ],
)
def test_a_bad_zip_is_asked_again_kindly_and_a_zip_plus_4_is_taken(
    app, twilio, fake, language, sorry, ask, can_skip, label
):
    twilio.text("hello", sender=FAMILY)
    twilio.text(language, sender=FAMILY)
    if state_of(app, FAMILY) == "menu":
        twilio.text("2", sender=FAMILY)
    for answer in INTAKE[:-1]:
        twilio.text(answer, sender=FAMILY)
    assert state_of(app, FAMILY) == "zip"
    reply = twilio.text("near the park", sender=FAMILY)
    for text in (sorry, can_skip, ask):
        assert text in reply
    assert ask in twilio.text("1234", sender=FAMILY)
    assert state_of(app, FAMILY) == "zip"
    review = twilio.text("77002-1234", sender=FAMILY)
    assert state_of(app, FAMILY) == "review"
    assert label in review


@pytest.mark.parametrize(
    ("language", "country", "keyword", "expected"),
    [
        ("1", "Mexico", "REFERRALS", [
            "Other places that can help.", "Consulate of Mexico (CIAM): (520) 623-7874",
            "Houston Immigrant Legal Aid: (713) 555-0142",
        ]),
        ("Spanish", "Honduras", "referencias", [
            "Otros lugares que pueden ayudar:", "Consulado de Honduras (SIAMIGH): (470) 751-9077",
            "Ayuda Legal para Inmigrantes de Houston: (713) 555-0142",
        ]),
    ],
)
def test_the_keyword_sends_the_card_again_in_the_family_language(
    app, twilio, fake, language, country, keyword, expected
):
    intake(twilio, language=language, country=country, zip_answer="77002")
    reply = twilio.text(keyword, sender=FAMILY)
    for text in expected:
        assert text in reply


def test_referrals_without_a_case_gives_the_national_lines(app, twilio, fake):
    twilio.text("hola", sender=FAMILY)
    twilio.text("Spanish", sender=FAMILY)
    reply = twilio.text("RECURSOS", sender=FAMILY)
    assert "Buscar a una persona detenida: locator.ice.gov" in reply
    assert "Teléfono de ICE para detenidos: (888) 351-4024" in reply
    assert "Consulado" not in reply
    english = twilio.text("referrals", sender="+15555550124")  # a stranger, first message
    assert "Other places that can help" not in english  # first, who we are and the language


def test_the_case_page_lists_the_family_card(app, twilio, fake, client):
    use_clock(app)
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    *confirmation, card, _news = intake(twilio, language="1", country="Mexico", zip_answer="77002")
    ref = ref_in(confirmation[0])
    inbox = Inbox(client)
    assert inbox.login("ana@example.org").status_code == 302
    page = inbox.page(f"/inbox/cases/{ref}")
    assert "Referrals" in page
    assert "Consulate of Mexico (CIAM): (520) 623-7874" in page
    assert "Houston Immigrant Legal Aid: (713) 555-0142" in page
    for place in ("Consulate of Mexico", "Houston Immigrant Legal Aid", "Texas Bond Fund"):
        assert (place in card) == (place in page)


def test_the_card_is_in_the_transcript_and_erased_with_delete(app, twilio, fake):
    *_, card, _news = intake(twilio, language="1", country="Mexico", zip_answer="77002")
    conversation = conversation_with(app, FAMILY)
    bodies = [m.body for m in rows(app, Message, Message.conversation_id == conversation.id)]
    assert card in bodies
    twilio.text("DELETE", sender=FAMILY)
    twilio.text("1", sender=FAMILY)  # yes, erase
    assert rows(app, Message, Message.conversation_id == conversation.id) == []
    assert rows(app, OutboxMessage, OutboxMessage.conversation_id == conversation.id) == []


def test_app_refuses_a_broken_directory_naming_the_file_and_line(app_settings, tmp_path: Path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "local.yaml").write_text(
        "resources:\n  - id: x\n    kind: legal_aid\n    name: X\n    phone: \"12\"\n"
        "    states: [\"TX\"]\n    source: s\n    as_of: 2026-11-30\n",
        encoding="utf-8",
    )
    from bot.conversation.yamlfile import ContentError

    app_settings.update(resources_dir=folder)
    with pytest.raises(ContentError, match=r"local\.yaml:5: x: '12' is not a valid phone number"):
        create_app(app_settings)
