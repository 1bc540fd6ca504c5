"""Machine translation for advocates, against a fake LibreTranslate server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import html
from sqlalchemy import text

from bot.storage.machine_translations import MessageTranslation
from bot.storage.models import Case, Message
from tests.conftest import PUBLIC_BASE_URL, TEST_TOKEN
from tests.fake_libretranslate import FakeLibreTranslate
from tests.fake_twilio import FakeTwilio
from tests.utils.advocates import (
    FAMILY,
    Inbox,
    add_advocate,
    cli,
    rows,
    use_clock,
)
from tests.utils.twilio import HOTLINE_NUMBER, TwilioSender

pytestmark = pytest.mark.usefixtures("fast_passwords")
API_KEY = "test-libretranslate-key"
STORY = "Se llevaron a mi esposo esta mañana en el trabajo"
STORY_EN = "They took my husband this morning at work"
LABEL = "Machine translation — may be wrong"


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate(languages=("en", "es"), api_key=API_KEY) as fake:
        yield fake


@pytest.fixture
def fake_twilio(app_settings) -> Iterator[FakeTwilio]:  # type: ignore[no-untyped-def]
    with FakeTwilio(auth_token=TEST_TOKEN) as fake:
        app_settings.update(
            twilio_account_sid=fake.account_sid, twilio_api_base_url=fake.base_url,
            twilio_from_number=HOTLINE_NUMBER, send_rate=0,
        )
        yield fake


@pytest.fixture
def app(app_settings, libre, fake_twilio):  # type: ignore[no-untyped-def]
    """The app, translating through the fake LibreTranslate and sending through fake Twilio."""
    app_settings.update(
        libretranslate_url=libre.base_url, libretranslate_api_key=API_KEY,
        libretranslate_timeout=0.5,
    )
    yield from _app(app_settings)


def _app(settings):  # type: ignore[no-untyped-def]
    from bot import create_app
    from bot.storage.migrate import upgrade

    app = create_app(settings)
    upgrade(app.extensions["hotline"].db)
    yield app
    app.extensions["hotline"].db.dispose()


def spanish_case(twilio: TwilioSender, story: str = STORY) -> str:
    """A family that writes in Spanish, asks for a person, then tells what happened."""
    twilio.text("Hola, necesito ayuda", sender=FAMILY)
    twilio.text("1", sender=FAMILY)  # "¿Español? Responda 1."
    twilio.text("AGENTE", sender=FAMILY)
    [case] = rows(twilio.client.application, Case)
    assert case.language == "es"
    twilio.text(story, sender=FAMILY)
    return case.ref


def login(app, email: str = "ana@example.org", languages=("en",), name="Ana Ruiz",
          phone="+15555550201") -> Inbox:  # type: ignore[no-untyped-def]
    use_clock(app)
    add_advocate(app, name, phone, email, languages)
    inbox = Inbox(app.test_client())
    assert inbox.login(email).status_code == 302
    return inbox


def under_message(page: str, original: str) -> str:
    """What the case page shows in the transcript bubble that holds `original`."""
    bubbles = html.fromstring(page).xpath('//section[@aria-label="Transcript"]//div')
    found = [b for b in bubbles if original in b.text_content()]
    assert found, original
    return " ".join(" ".join(found[-1].itertext()).split())


def deliver(app) -> None:  # type: ignore[no-untyped-def]
    assert cli(app, "outbox", "work", "--until-empty").exit_code == 0


# --------------------------------------------------------------------------- reading
def test_a_family_message_shows_its_translation_marked_as_machine_made(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app)
    page = ana.page(f"/inbox/cases/{ref}")
    bubble = under_message(page, STORY)
    assert bubble.index(STORY) < bubble.index(LABEL) < bubble.index(STORY_EN)
    # The family's number and the API key went nowhere near the translation server.
    assert all(FAMILY not in t for t in libre.texts)
    assert STORY in libre.texts


def test_a_second_page_view_reads_the_stored_translation_not_the_server(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app)
    ana.page(f"/inbox/cases/{ref}")
    assert libre.translate_calls() == 1  # the whole page in one request
    page = ana.page(f"/inbox/cases/{ref}")
    assert STORY_EN in under_message(page, STORY)
    assert libre.translate_calls() == 1
    [kept] = [r for r in rows(app, MessageTranslation) if r.body == STORY_EN]
    assert kept.language == "en" and kept.origin == "machine"
    with app.extensions["hotline"].db.connect() as connection:
        stored = connection.execute(text("SELECT body FROM message_translation")).scalars().all()
    assert stored and all("husband" not in body for body in stored)  # encrypted at rest


def test_an_advocate_who_reads_spanish_gets_no_translation_until_they_choose_english(
    app, twilio, libre
):
    ref = spanish_case(twilio)
    ben = login(app, "ben@example.org", ("es", "en"), "Ben Ortiz", "+15555550202")
    page = ben.page(f"/inbox/cases/{ref}")
    assert LABEL not in page and libre.translate_calls() == 0
    ben.post("/inbox/reading-language", {"language": "en", "next": f"/inbox/cases/{ref}"})
    page = ben.page(f"/inbox/cases/{ref}")
    assert STORY_EN in under_message(page, STORY)
    assert '<option value="en" selected>' in page


def test_the_summary_shows_the_familys_own_words_with_their_translation(app, twilio, libre):
    twilio.text(STORY, sender=FAMILY)  # the first text tells of the arrest
    twilio.text("1", sender=FAMILY)
    twilio.text("AGENTE", sender=FAMILY)
    [case] = rows(app, Case)
    page = login(app).page(f"/inbox/cases/{case.ref}")
    [summary] = html.fromstring(page).xpath('//section[@aria-label="Summary"]')
    words = " ".join(" ".join(summary.itertext()).split())
    assert STORY in words and LABEL in words and STORY_EN in words


def test_an_unknown_reading_language_is_refused_without_an_error_page(app, twilio):
    ana = login(app)
    response = ana.post("/inbox/reading-language", {"language": "xx", "next": "https://evil"},
                        follow_redirects=True)
    assert response.status_code == 200
    assert "There is no such language." in response.get_data(as_text=True)


# --------------------------------------------------------------------------- replying
def test_a_reply_written_in_english_reaches_the_family_in_spanish_with_the_original_kept(
    app, twilio, libre, fake_twilio
):
    ref = spanish_case(twilio)
    ana = login(app)
    ana.get(f"/inbox/cases/{ref}")
    preview = ana.post(f"/inbox/cases/{ref}/reply/translate",
                       {"body": "I will call you in ten minutes."})
    assert preview.status_code == 200
    [body] = html.fromstring(preview.get_data(as_text=True)).xpath('//textarea[@id="body"]')
    assert body.text == "Le voy a llamar en diez minutos."
    assert LABEL in preview.get_data(as_text=True)
    edited = "Le voy a llamar en diez minutos. Soy Ana."
    response = ana.post(f"/inbox/cases/{ref}/reply/translated",
                        {"body": edited, "original": "I will call you in ten minutes."},
                        follow_redirects=True)
    assert "Sent." in response.get_data(as_text=True)
    deliver(app)
    to_family = [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY]
    assert to_family == [edited]
    page = ana.page(f"/inbox/cases/{ref}")
    bubble = under_message(page, edited)
    assert "The advocate wrote (not sent to the family): I will call you in ten minutes." in bubble
    [kept] = [r for r in rows(app, MessageTranslation) if r.origin == "advocate"]
    assert kept.body == "I will call you in ten minutes." and kept.language == "en"
    export = ana.client.get(f"/inbox/cases/{ref}/export").get_data(as_text=True)
    assert f"advocate (sent): {edited}" in export
    assert "written as (not sent): I will call you in ten minutes." in export


def test_an_english_family_and_an_advocate_who_reads_spanish(app, twilio, libre, fake_twilio):
    from tests.utils.advocates import open_agent_case

    ref = open_agent_case(twilio)
    twilio.text("When can you call me?", sender=FAMILY)
    ben = login(app, "ben@example.org", ("es",), "Ben Ortiz", "+15555550202")
    page = ben.page(f"/inbox/cases/{ref}")
    assert "[es] When can you call me?" in under_message(page, "When can you call me?")
    preview = ben.post(f"/inbox/cases/{ref}/reply/translate", {"body": "Le llamo hoy."})
    [body] = html.fromstring(preview.get_data(as_text=True)).xpath('//textarea[@id="body"]')
    ben.post(f"/inbox/cases/{ref}/reply/translated",
             {"body": body.text, "original": "Le llamo hoy."})
    deliver(app)
    assert [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY] == ["[en] Le llamo hoy."]


def test_a_reply_too_long_once_translated_comes_back_with_both_texts(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app)
    ana.get(f"/inbox/cases/{ref}")
    response = ana.post(f"/inbox/cases/{ref}/reply/translated",
                        {"body": "x" * 1601, "original": "My long message"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "longer than 1600 characters" in page and "My long message" in page


# --------------------------------------------------------------------------- failures
@pytest.mark.parametrize(
    ("fault", "notice"),
    [
        ("down", "the translation server cannot be reached"),
        ("slow", "the translation server did not answer in time"),
        ("error", "the translation server answered with an error"),
        ("wrong key", "the translation server answered with an error"),
    ],
)
def test_a_failing_server_shows_the_original_with_a_notice_and_replies_still_go(
    app, twilio, libre, fake_twilio, fault, notice, caplog
):
    ref = spanish_case(twilio)
    ana = login(app)
    if fault == "down":
        libre.down()
    elif fault == "slow":
        libre.hold()
    elif fault == "error":
        libre.fail_with(500)
    else:
        libre.api_key = "another-key"
    page = ana.page(f"/inbox/cases/{ref}")
    bubble = under_message(page, STORY)
    assert f"Translation unavailable: {notice}." in bubble and LABEL not in bubble
    preview = ana.post(f"/inbox/cases/{ref}/reply/translate", {"body": "Hello, I am Ana."})
    assert preview.status_code == 200
    assert "Translation unavailable" in preview.get_data(as_text=True)
    [body] = html.fromstring(preview.get_data(as_text=True)).xpath('//textarea[@id="body"]')
    assert body.text == "Hello, I am Ana."  # sendable as written
    ana.post(f"/inbox/cases/{ref}/reply/translated",
             {"body": body.text, "original": "Hello, I am Ana."})
    libre.release()
    deliver(app)
    assert [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY] == ["Hello, I am Ana."]
    assert "machine translation unavailable" in caplog.text  # the failure is logged…
    assert STORY not in caplog.text and "I am Ana" not in caplog.text  # …never the text


def test_a_pair_the_server_does_not_offer_is_unsupported(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app, languages=("fr", "en"))
    page = ana.page(f"/inbox/cases/{ref}")
    assert ("Translation unavailable: the translation server does not translate Spanish into "
            "French.") in under_message(page, STORY)
    assert libre.translate_calls() == 0


def test_without_a_server_nothing_is_sent_for_translation(app_settings, libre):
    app = next(_app(app_settings))  # LIBRETRANSLATE_URL not set
    twilio = TwilioSender(app.test_client(), TEST_TOKEN, PUBLIC_BASE_URL)
    ref = spanish_case(twilio)
    ana = login(app)
    page = ana.page(f"/inbox/cases/{ref}")
    assert STORY in page and LABEL not in page and "Translation unavailable" not in page
    assert "Translate into" not in page
    assert libre.calls == []


# --------------------------------------------------------------------------- erasure
def test_delete_erases_the_stored_translations(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app)
    ana.page(f"/inbox/cases/{ref}")
    assert rows(app, MessageTranslation)
    twilio.text("BORRAR", sender=FAMILY)
    twilio.text("1", sender=FAMILY)  # "Sí, bórrelo"
    assert all(m.body != STORY for m in rows(app, Message))
    assert rows(app, MessageTranslation) == []


def test_the_purge_erases_the_translations_of_old_messages(app, twilio, libre):
    ref = spanish_case(twilio)
    ana = login(app)
    ana.act(ref, "claim")
    ana.post(f"/inbox/cases/{ref}/reply/translated",
             {"body": "Hola", "original": "Hello"})
    ana.page(f"/inbox/cases/{ref}")
    assert {r.origin for r in rows(app, MessageTranslation)} == {"machine", "advocate"}
    ana.act(ref, "close")
    clock = app.extensions["advocates"].clock
    clock.advance(days=400)
    assert cli(app, "purge").exit_code == 0
    assert all(m.body != STORY for m in rows(app, Message))
    assert rows(app, MessageTranslation) == []
