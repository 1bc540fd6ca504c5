"""Replies that understand people: a sentence picks a language, and what it says leads somewhere."""

from __future__ import annotations

import pytest

ARREST_INTAKE = "consent"  # the arrest questions start with consent


def _menu(chat, code: str) -> None:
    chat.send("hi")
    chat.send(chat.engine.catalog.locales[code].native)
    assert chat.state == "menu" and chat.snapshot.locale == code


# The issue's own example: a frightened person's sentence at the language menu.
def test_a_sentence_at_the_language_menu_picks_english_and_goes_to_the_arrest_questions(chat):
    chat.send("hi")
    reply = chat.send("ICE took my husband this morning")
    assert "did not understand" not in reply
    assert chat.snapshot.locale == "en"
    assert reply.startswith("I am so sorry this happened to your family.")
    assert "I will ask some questions" in reply and "Is that OK?" in reply
    assert chat.state == ARREST_INTAKE


def test_the_first_texts_meaning_is_kept_until_a_language_is_chosen(chat):
    first = chat.send("ICE took my husband this morning")
    assert "Reply with the number of your language" in first
    assert chat.state == "language"
    reply = chat.send("1")
    assert "I am so sorry this happened" in reply
    assert "How can we help?" not in reply
    assert chat.state == ARREST_INTAKE


def test_a_spanish_first_text_offers_spanish_then_goes_to_the_arrest_questions(chat):
    first = chat.send("la migra agarró a mi hijo")
    assert "¿Español? Responda 1." in first
    reply = chat.send("1")
    assert chat.snapshot.locale == "es"
    assert "Siento mucho" in reply
    assert chat.state == ARREST_INTAKE


def test_a_greeting_alone_still_goes_to_the_menu(chat):
    chat.send("hello")
    assert "How can we help?" in chat.send("1")
    assert chat.state == "menu"


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("en", "they picked up my brother at work"),
        ("en", "my dad got deported last night"),
        ("es", "se llevaron a mi esposo"),
        ("es", "la migra agarró a mi hijo"),
        ("es", "detuvieron a mi papá en la mañana"),
        ("pt", "levaram meu marido hoje cedo"),
        ("fr", "ils ont arrêté mon mari ce matin"),
        ("ht", "imigrasyon pran mari m"),
        ("vi", "chồng tôi bị bắt sáng nay"),
        ("tl", "hinuli ng immigration ang asawa ko"),
        ("ko", "남편이 오늘 아침에 체포됐어요"),
        ("ar", "اعتقلوا زوجي اليوم"),
        ("zh-Hans", "我老公今天早上被抓走了"),
        ("zh-Hant", "我老公今天早上被抓走了"),
    ],
)
def test_an_arrest_told_in_everyday_words_at_the_menu_starts_the_arrest_questions(
    chat, code, sentence
):
    _menu(chat, code)
    reply = chat.send(sentence)
    assert chat.state == ARREST_INTAKE, (code, sentence, reply)
    acknowledgment = chat.engine.catalog.render("intake.acknowledge", code)
    assert reply.startswith(acknowledgment)


@pytest.mark.parametrize(
    ("code", "sentence", "state"),
    [
        ("en", "where is my son? I can't find him", "locate_1"),
        ("es", "no lo encuentro, dónde está mi hijo", "locate_1"),
        ("pt", "onde está meu filho", "locate_1"),
        ("en", "how do we get him out on bond", "request_1"),
        ("en", "what is prosecutorial discretion", "pd_1"),
        ("en", "can I talk to a person please", "menu"),  # AGENT: a case, back at the menu
    ],
)
def test_other_needs_in_free_text_reach_their_path(chat, code, sentence, state):
    _menu(chat, code)
    chat.send(sentence)
    assert chat.state == state, (code, sentence)


def test_free_text_asking_for_a_person_opens_a_case(chat):
    _menu(chat, "en")
    reply = chat.send("can I talk to a person please")
    assert "A person from our team will text you" in reply
    assert chat.last.effects[0].data["kind"] == "agent"


def test_an_arrest_comes_before_finding_someone_in_one_sentence(chat):
    _menu(chat, "en")
    chat.send("ICE took my husband, where is he now?")
    assert chat.state == ARREST_INTAKE


def test_the_acknowledgment_is_only_for_words_not_for_the_number(chat):
    _menu(chat, "en")
    reply = chat.send("2")
    assert "I am so sorry" not in reply
    assert chat.state == ARREST_INTAKE


def test_twice_not_understood_at_the_menu_offers_a_person_not_the_menu_again(chat):
    _menu(chat, "en")
    first = chat.send("qwerty")
    assert "did not understand" in first and "How can we help?" in first
    second = chat.send("zzzz")
    assert "Would you like to talk to a person? Reply AGENT" in second
    assert "How can we help?" not in second
    assert "Your case number" in chat.send("AGENT")


def test_twice_not_understood_in_a_question_offers_a_person_before_asking_again(chat):
    _menu(chat, "en")
    for answer in ("2", "yes"):
        chat.send(answer)
    chat.send("purple")
    second = chat.send("purple")
    assert second.index("talk to a person") < second.index("Is it urgent?")


def test_an_unsure_guess_from_a_sentence_is_offered_not_assumed(chat):
    chat.send("hi")
    chat.engine.detect = lambda text: ("pt", False)
    reply = chat.send("levaram meu marido hoje")
    assert "Português? Responda 1." in reply or "Responda 1" in reply
    assert "did not understand" not in reply
    assert chat.state == "language" and chat.snapshot.data["offered"] == "pt"
    assert "Reply with the number of your language:\n1 Português" in reply
    after = chat.send("1")
    assert chat.snapshot.locale == "pt"
    assert chat.state == ARREST_INTAKE, after  # what the sentence said is kept


def test_a_sentence_in_a_language_the_hotline_does_not_speak_is_not_understood(chat):
    chat.send("hi")
    chat.engine.detect = lambda text: (None, False)
    reply = chat.send("mein Mann wurde heute verhaftet")
    assert "did not understand" in reply
    assert chat.state == "language"


@pytest.mark.parametrize(
    ("first", "reply_in"),
    [
        ("ICE took my husband this morning", "I am so sorry"),
        ("se llevaron a mi esposo anoche", "Siento mucho"),
    ],
)
def test_through_the_webhook_a_first_text_about_an_arrest_is_followed(twilio, first, reply_in):
    twilio.text(first)
    reply = twilio.text("1")
    assert reply_in in reply


LOCALES = sorted(p.stem for p in __import__("pathlib").Path("locales").glob("*.yaml"))
NEW_QUESTIONS = (
    "court_case", "hearing", "removal_order", "papers", "lawyer", "status", "fear",
    "years_in_us", "children", "children_care", "medicine", "medicine_details", "own_language",
    "criminal_history",
)


@pytest.mark.parametrize("code", LOCALES)
def test_every_question_is_asked_and_reviewed_in_every_language(chat, code):
    catalog = chat.engine.catalog
    _menu(chat, code)
    chat.send("2")
    chat.send("1")  # consent
    asked = []
    while chat.state != "review" and len(asked) < 40:
        state = chat.engine.flow.states[chat.state]
        question = catalog.render(state.ask, code, {"number": "(212) 555-0100"})
        english = catalog.render(state.ask, "en", {"number": "(212) 555-0100"})
        if code != "en":
            assert question != english, (code, state.name)  # translated, not English
        asked.append(state.name)
        if state.expect in ("choice", "multi", "phone"):
            chat.send("1")  # the first option; the texter's own number
        elif state.expect == "text":
            chat.send("x")
        else:
            chat.send(catalog.words("keywords.skip", [code])[0])  # dates, A-number: skipped
    assert chat.state == "review"
    assert set(NEW_QUESTIONS) <= set(asked)
    review = "\n".join(catalog.render(r.key, code, r.params) for r in chat.last.replies)
    for number, name in enumerate(chat.engine.flow.asked(chat.answers), 1):
        label = catalog.render(chat.engine.flow.states[name].label, code)
        assert f"{number}. {label}: " in review, (code, name)
