"""The hotline in the texter's language: detection, switching, and every keyword everywhere."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.utils.twilio import replies_text

LOCALES = sorted(p.stem for p in (ROOT / "locales").glob("*.yaml"))
KEYWORD_KINDS = ("help", "menu", "agent", "delete", "back", "skip", "stop")


def test_every_shipped_locale_is_complete_and_draft_until_reviewed(catalog):
    english = set(catalog.locales["en"].messages)
    assert len(LOCALES) == 11
    for code in LOCALES:
        locale = catalog.locales[code]
        assert set(locale.messages) == english, code
        assert all(locale.messages[k].strip() for k in english), code
        assert locale.status in ("draft", "reviewed")
        if locale.status == "reviewed":
            assert locale.reviewer and locale.reviewed, code
    assert catalog.locales["ar"].direction == "rtl"


def test_spanish_first_message_is_offered_spanish_first_then_followed(twilio):
    first = twilio.text("Hola, mi esposo fue arrestado por ICE ayer")
    assert "¿Español? Responda 1." in first
    assert "1 Español" in first
    # The first text said what happened: once Spanish is chosen, straight to the arrest intake.
    reply = twilio.text("1")
    assert "Siento mucho lo que le pasó a su familia" in reply
    assert "¿Cómo le ayudamos?" not in reply
    assert "¿Está bien?" in reply  # consent, the intake's first question


def test_spanish_greeting_then_choice_goes_to_the_menu(twilio):
    twilio.text("Hola, buenas tardes")
    assert "¿Cómo le ayudamos?" in twilio.text("1")


def test_unsure_greeting_is_offered_but_not_assumed(twilio):
    first = twilio.text("hola")
    assert "¿Español? Responda 1." in first
    assert "This is the Family Hotline" in first  # the welcome stays in English until chosen
    assert "¿Cómo le ayudamos?" in twilio.text("si")


@pytest.mark.parametrize("answer", ["ayuda", "Hola", "buenas"])
def test_a_word_in_the_offered_language_answers_the_offer(twilio, answer):
    """Offered Spanish, a Spanish word ("ayuda") is no riddle: the menu comes in Spanish."""
    twilio.text("hola")
    reply = twilio.text(answer)
    assert "¿Cómo le ayudamos?" in reply
    assert "did not understand" not in reply


def test_a_word_of_another_language_does_not_take_the_offer(twilio):
    twilio.text("hola")
    reply = twilio.text("hello")
    assert "¿Cómo le ayudamos?" not in reply
    assert "1 Español" in reply  # the language menu again


@pytest.mark.parametrize("menu_word", ["menú", "menu", "MENU", "Menú", "MENÚ"])
def test_spanish_menu_keyword_with_and_without_accent(twilio, menu_word):
    twilio.text("hola")
    twilio.text("Español")
    twilio.text("1")
    assert "¿Cómo le ayudamos?" in twilio.text(menu_word)


@pytest.mark.parametrize("typed", ["1", "discrecion", "discreción", "DISCRECION 🙏", "discresion"])
def test_spanish_menu_choice_with_typos_and_emoji(twilio, typed):
    twilio.text("hola")
    twilio.text("1")
    reply = twilio.text(typed)
    assert "discreción" in reply.lower()


def test_spanish_intake_through_the_webhook(twilio, app):
    from sqlmodel import Session, select

    from bot.storage.models import Case

    twilio.text("Hola, necesito ayuda")
    twilio.text("español")
    assert "preguntas" in twilio.text("2")
    for answer in ("sí", "2", "1", "José Pérez", "México", "A 123 456 789", "14/3/1985",
                   "no sé", "ayer", "Phoenix", "2", "2", "3", "2", "7", "3", "3", "2", "2", "1",
                   "1 y 2", "paso", "1"):
        twilio.text(answer)
    twilio.text("1")
    review = twilio.text("mi código postal es 85004")
    assert "Código postal: 85004" in review
    assert "José Pérez" in review
    assert "14 de marzo de 1985" in review
    assert "A-123-456-789" in review
    reply = twilio.text("ok")
    with Session(app.extensions["hotline"].db) as session:
        case = session.exec(select(Case)).one()
    assert case.ref in reply
    assert case.language == "es"
    assert case.urgent is False
    assert case.answers["arrest_date"] == "2026-11-27" or case.answers["arrest_date"]
    assert case.answers["held_at"] is None


def _to_locale(chat, code: str) -> None:
    chat.send("hi")
    chat.send(chat.engine.catalog.locales[code].native)
    assert chat.snapshot.locale == code


@pytest.mark.parametrize("code", LOCALES)
@pytest.mark.parametrize("kind", KEYWORD_KINDS)
def test_every_keyword_in_every_locale(chat, catalog, code, kind):
    words = catalog.words(f"keywords.{kind}", [code])
    assert words
    for word in words:
        chat.snapshot = type(chat.snapshot)()
        _to_locale(chat, code)
        for answer in ("2", "1", "2"):  # into the intake (consent, not urgent), where an
            chat.send(answer)  # answer could swallow a keyword
        assert chat.state == "relationship"
        chat.send(word)
        effects = chat.effects
        if kind == "help":
            assert "help.text" in chat.keys, (code, word)
        elif kind == "menu":
            assert chat.state == "menu", (code, word)
        elif kind == "agent":
            assert effects and effects[0] == "open_case", (code, word)
        elif kind == "delete":
            assert chat.state == "delete_confirm", (code, word)
        elif kind == "back":
            assert chat.state == "urgent", (code, word)
        elif kind == "skip":
            assert chat.state == "name", (code, word)
        elif kind == "stop":
            assert effects == ["opt_out"], (code, word)
            start = catalog.words("keywords.start", [code])[0]
            chat.send(start)
            assert chat.effects == ["opt_in"], (code, start)


@pytest.mark.parametrize("code", LOCALES)
def test_language_name_switches_mid_intake_and_keeps_answers(chat, catalog, code):
    _to_locale(chat, "en")
    for answer in ("2", "1", "2", "1"):
        chat.send(answer)
    other = catalog.locales[code]
    chat.send(other.native)
    assert chat.snapshot.locale == code
    assert chat.answers["relationship"] == "parent"
    assert "language.switched" in chat.keys


def test_language_code_alone_does_not_switch(chat):
    _to_locale(chat, "vi")
    for answer in ("2", "1", "2"):
        chat.send(answer)
    chat.send("ko")  # Vietnamese for "no"; also Korean's code
    assert chat.snapshot.locale == "vi"


def test_language_answer_at_call_language_is_saved_not_switched(chat, catalog):
    _to_locale(chat, "en")
    for answer in ("2", "1"):
        chat.send(answer)
    while chat.state != "call_language":
        chat.send("skip")
    chat.send("9")  # other
    chat.send("Tagalog")
    assert chat.snapshot.locale == "en"
    assert chat.answers["call_language_other"] == "Tagalog"


def test_arabic_conversation_is_offered_arabic(twilio):
    first = twilio.text("مرحبا، ابني محتجز")
    assert "1 العربية" in first


def test_chinese_traditional_and_simplified_are_told_apart(twilio):
    simplified = twilio.text("你好，我的儿子被抓了", sender="+15555550191")
    traditional = twilio.text("你好，我的兒子被抓了", sender="+15555550192")
    assert "1 简体中文" in simplified
    assert "1 繁體中文" in traditional


def test_whatsapp_conversation_in_portuguese(twilio):
    sender = "whatsapp:+5511999990000"
    first = twilio.send("Olá, meu marido foi preso pelo ICE", sender=sender)
    assert "1 Português" in replies_text(first.data)
    assert twilio.text("1", sender=sender)
