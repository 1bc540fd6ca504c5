"""Whole conversations with the pure engine: text in, replies out (no server, no database)."""

from __future__ import annotations

from datetime import timedelta

import pytest


def start(chat, first: str = "hello") -> None:
    """First contact, English chosen: the conversation is at the main menu."""
    chat.send(first)
    menu = chat.send("English")
    assert "How can we help?" in menu


def intake(chat) -> None:
    """Into the arrest questions: consent given, not urgent; at "how are you related?"."""
    start(chat)
    reply = chat.send("2")
    assert "I will ask some questions" in reply
    assert "we keep your answers locked" in reply
    assert "Is it urgent?" in chat.send("yes")
    assert "How are you related" in chat.send("2")


def test_first_message_says_who_we_are_and_how_to_stop(chat):
    reply = chat.send("hi")
    assert "This is the Family Hotline" in reply
    assert "not the government" in reply
    assert "advocates may read" in reply
    assert "STOP" in reply and "DELETE" in reply
    assert "1 English" in reply
    assert chat.state == "language"


def test_language_is_chosen_by_number_name_or_code(chat):
    chat.send("hi")
    assert "How can we help?" in chat.send("1")
    assert chat.snapshot.locale == "en"


def test_unclear_language_answer_asks_again(chat):
    chat.send("hi")
    reply = chat.send("purple")
    assert "did not understand" in reply
    assert "Reply with the number of your language" in reply
    assert chat.state == "language"


@pytest.mark.parametrize("text", ["1", "discretion", "Discretion!", "discrection", " 1 🙏", "#1"])
def test_menu_accepts_numbers_words_and_typos(chat, text):
    start(chat)
    reply = chat.send(text)
    assert "prosecutorial discretion" in reply
    assert chat.state == "pd_1"


def test_discretion_explained_in_parts_with_dates_and_disclaimer(chat):
    start(chat)
    parts = [chat.send("1"), chat.send("more"), chat.send("1"), chat.send("1"), chat.send("1"),
             chat.send("1")]
    text = "\n".join(parts)
    # The whole timeline, to today: the 2021 rules, stopped in 2022, back in 2023, ended 2025.
    assert "In 2021" in text and "June 2022" in text and "June 2023" in text
    assert "January 20, 2025" in text and "ended those rules" in text
    assert "As of December 2026, no rule keeps any group" in text
    assert "As of December 2026, it is harder to get out of ICE detention" in text
    assert "no bond hearing" in text and "Courts are still deciding" in text
    assert "case by case" in text
    assert "information, not legal advice" in text
    assert "https://ilrc.me/icepd" in text
    assert chat.state == "menu"
    # Back at the menu without re-sending it: "3" picks the detainee locator.
    assert "locator.ice.gov" in chat.send("3")


def test_locator_explains_a_number_and_name_search(chat):
    start(chat)
    text = chat.send("find") + chat.send("1") + chat.send("1")
    assert "locator.ice.gov" in text
    assert "9 digits" in text and "0 in front" in text
    assert "country of birth" in text and "A-number or their full name" in text
    assert "under 18 are not listed" in text
    assert "1-888-351-4024" in text and "1-800-898-7180" in text
    assert chat.state == "menu"


def test_request_explains_positive_factors_and_documents(chat):
    start(chat)
    text = chat.send("4") + chat.send("1") + chat.send("1") + chat.send("1")
    for fact in ("US citizens or residents", "years in the US", "school", "church",
                 "changed life", "Pay stubs", "Letters"):
        assert fact in text
    # Routes out of detention are an advocate's question, never a promise.
    assert "nothing is sure" in text and "question for an advocate" in text
    assert "a judge can set a bond" in text and "federal court" in text
    assert "As of December 2026" in text
    # And the safety message ends the path.
    assert "do not sign papers you do not understand" in text
    assert "Notarios" in text and "not lawyers" in text
    assert chat.state == "menu"


def test_menu_talk_to_a_person_opens_a_case(chat):
    start(chat)
    reply = chat.send("5")
    assert "A person from our team will text you" in reply
    assert "K7F-3QX" in reply
    assert chat.last.effects[0].kind == "open_case"
    assert chat.last.effects[0].data["kind"] == "agent"


def full_intake(chat) -> None:
    start(chat)
    chat.send("2")  # someone was arrested
    chat.send("yes")  # consent
    chat.send("1")  # urgent: yes (the case opens now)
    chat.send("They want to move her to another state tomorrow")
    chat.send("1")  # parent
    chat.send("María López Hernández")
    chat.send("Guatemala")
    chat.send("A-123-456-789")
    chat.send("3/14/1985")
    chat.send("skip")  # held at
    chat.send("yesterday")
    chat.send("Houston, at work")
    chat.send("3")  # court case: not sure
    chat.send("2")  # deportation order: no
    chat.send("2")  # papers: got papers, did not sign
    chat.send("2")  # lawyer: no
    chat.send("1 3")  # asylum, DACA
    chat.send("skip")  # fear
    chat.send("3")  # more than 10 years
    chat.send("1")  # children: yes
    chat.send("2")  # no one cares for them
    chat.send("2")  # no daily medicine
    chat.send("1")  # their language: this chat's
    chat.send("1 2 4")
    chat.send("3")  # past arrest: not sure
    chat.send("1")  # callback: this number
    chat.send("5")  # K'iche'
    return chat.send("my zip is 77002-1234")


def test_full_intake_reaches_review_with_every_answer(chat):
    review = full_intake(chat)
    assert chat.state == "review"
    assert "Please check your answers" in review
    assert "1. Urgent: Yes" in review
    assert "2. What is urgent: They want to move her" in review
    assert "3. You are their: Parent" in review
    assert "4. Name: María López Hernández" in review
    assert "6. A-number: A-123-456-789" in review
    assert "7. Born: March 14, 1985" in review
    assert "8. Held at: (skipped)" in review  # a skipped question keeps its number
    assert "9. Arrested on: November 27, 2026" in review
    assert "10. Arrested at: Houston, at work" in review
    assert "11. Court case now: Not sure" in review
    assert "Next court date" not in review  # asked only after "yes, there is a court case"
    assert "12. Past deportation order or missed court date: No" in review
    assert "13. Papers from ICE: Got papers, did not sign" in review
    assert "15. Cases or status: Asylum case, DACA" in review
    assert "16. Afraid to go back: (skipped)" in review
    assert "17. Time in the US: More than 10 years" in review
    assert "19. Someone cares for the children: No, they need care" in review
    assert "20. Needs daily medicine: No" in review
    assert "US citizen or resident family, Works, Church or community" in review
    assert "23. Past arrest or criminal case: Not sure" in review
    assert "(212) 555-0100" in review
    assert "25. Language for the call: K'iche'" in review
    assert "EDIT" in review
    answers = chat.answers
    assert answers["a_number"] == "123456789"
    assert answers["arrest_date"] == "2026-11-27"
    assert answers["dob"] == "1985-03-14"
    assert answers["held_at"] is None
    assert answers["factors"] == ["family", "work", "community"]
    assert answers["status"] == ["asylum", "daca"]
    assert answers["papers"] == "received"
    assert answers["criminal_history"] == "unsure"
    assert answers["callback"] == "+12125550100"
    assert answers["call_language"] == "kiche"


def test_review_ok_opens_an_urgent_case_with_reference_and_next_steps(chat):
    full_intake(chat)
    reply = chat.send("OK")
    assert "Your case number is K7F-3QX" in reply
    assert "An advocate will text or call you" in reply
    assert "within 1 day" not in reply  # no promise of a time
    assert "do not sign papers you do not understand" in reply  # the safety message
    assert "passport" in reply  # documents to start gathering
    effect = chat.last.effects[0]
    assert effect.kind == "open_case"
    assert effect.data["kind"] == "intake"
    assert effect.data["urgent"] is True
    assert effect.data["answers"]["name"] == "María López Hernández"
    assert chat.state == "alerts_offer"  # one optional question about news, then the menu


def test_edit_changes_one_answer_and_returns_to_review(chat):
    full_intake(chat)
    reply = chat.send("edit 4")
    assert "What is their full name?" in reply
    review = chat.send("Maria Lopez")
    assert "4. Name: Maria Lopez" in review
    assert chat.state == "review"
    assert chat.answers["country"] == "Guatemala"  # nothing else changed


def test_edit_accepts_just_the_number_and_other_words(chat):
    full_intake(chat)
    assert "What country were they born in?" in chat.send("change 5")
    assert "5. Country of birth: Honduras" in chat.send("Honduras")
    assert "When were they born?" in chat.send("7")


def test_every_intake_question_can_be_skipped_except_consent(chat):
    start(chat)
    chat.send("2")
    assert chat.state == "consent"
    reply = chat.send("skip")
    assert "did not understand" in reply
    assert chat.state == "consent"
    chat.send("yes")
    for _ in range(40):
        if chat.state == "review":
            break
        chat.send("skip")
    assert chat.state == "review"
    assert all(value is None for key, value in chat.answers.items() if key != "consent")


def test_back_returns_to_previous_question(chat):
    intake(chat)
    chat.send("2")
    chat.send("Juan")
    assert chat.state == "country"
    reply = chat.send("back")
    assert "What is their full name?" in reply
    assert chat.state == "name"
    assert "How are you related" in chat.send("BACK")


@pytest.mark.parametrize(
    ("language", "word", "saved", "next_question"),
    [
        ("English", "mom", "parent", "What is their full name?"),
        ("English", "my son", "parent", "What is their full name?"),  # their son was arrested
        ("Español", "marido", "spouse", "¿Cuál es el nombre completo de la persona?"),
    ],
)
def test_relationship_answered_with_a_word(chat, language, word, saved, next_question):
    chat.send("hi")
    chat.send(language)
    assert chat.state == "menu"
    for answer in ("2", "1", "2"):  # arrest; consent; not urgent
        chat.send(answer)
    assert chat.state == "relationship"
    assert next_question in chat.send(word)
    assert chat.answers["relationship"] == saved


def test_unsure_date_is_confirmed_back(chat):
    intake(chat)
    for answer in ("1", "Juan", "Mexico", "skip", "skip", "skip"):
        chat.send(answer)
    reply = chat.send("monday")
    assert "Did you mean November 23, 2026?" in reply
    assert chat.state == "confirm_date"
    assert "Where were they arrested?" in chat.send("yes")
    assert chat.answers["arrest_date"] == "2026-11-23"


def test_rejected_date_is_asked_again(chat):
    intake(chat)
    for answer in ("1", "Juan", "Mexico", "skip", "skip", "skip"):
        chat.send(answer)
    chat.send("monday")
    assert "When were they arrested?" in chat.send("no")
    assert "arrest_date" not in chat.answers


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("A123456789", "123456789"), ("123 456 789", "123456789"), ("a-12345678", "012345678")],
)
def test_a_number_forms(chat, typed, stored):
    intake(chat)
    for answer in ("1", "Juan", "Mexico"):
        chat.send(answer)
    chat.send(typed)
    assert chat.answers["a_number"] == stored


def test_bad_a_number_is_asked_again(chat):
    intake(chat)
    for answer in ("1", "Juan", "Mexico"):
        chat.send(answer)
    reply = chat.send("12345")
    assert "did not understand" in reply
    assert "8 or 9 digits" in reply
    assert chat.state == "anumber"


def test_criminal_history_is_a_choice_that_says_why_and_asks_for_no_details(chat):
    intake(chat)
    while chat.state != "criminal_history":
        chat.send("skip")
    text = chat.send("a fight in 2019, he paid a fine")  # a written account is not taken
    assert "did not understand" in text
    assert "ICE looks at this" in text and "do not write details here" in text
    assert "1 Yes\n2 No\n3 Not sure" in text
    assert "criminal_history" not in chat.answers
    chat.send("2")
    assert chat.answers["criminal_history"] == "no"
    assert chat.state == "callback"


def test_consent_is_asked_before_any_personal_question(chat):
    start(chat)
    reply = chat.send("2")
    assert chat.state == "consent"
    assert "Only our advocates read them" in reply and "DELETE" in reply
    assert chat.answers == {}


def test_consent_declined_forgets_and_still_offers_discretion_and_a_person(chat):
    start(chat)
    chat.send("2")
    reply = chat.send("no")
    assert "We erased what you sent us" in reply
    assert "1 What is prosecutorial discretion?" in reply and "2 Talk to a person" in reply
    assert chat.effects == ["forget"]
    assert chat.answers == {}
    assert "prosecutorial discretion" in chat.send("1")
    assert chat.state == "pd_1"


@pytest.mark.parametrize("keyword", ["MENU", "menu", "Menu"])
def test_menu_keyword_mid_intake_keeps_answers(chat, keyword):
    intake(chat)
    chat.send("1")
    chat.send("Juan")
    assert "How can we help?" in chat.send(keyword)
    assert chat.answers["name"] == "Juan"


def test_keyword_inside_an_answer_is_just_an_answer(chat):
    intake(chat)
    chat.send("1")
    chat.send("Stop Menu Gonzalez")
    assert chat.answers["name"] == "Stop Menu Gonzalez"
    assert chat.state == "country"


def test_help_keyword_explains_and_repeats_the_question(chat):
    intake(chat)
    reply = chat.send("help")
    assert "AGENT to talk to a person" in reply
    assert "How are you related" in reply


def test_agent_keyword_opens_a_case_and_keeps_the_question(chat):
    intake(chat)
    chat.send("1")
    reply = chat.send("agent")
    assert "A person from our team will text you" in reply
    assert "What is their full name?" in reply
    assert chat.last.effects[0].data["kind"] == "agent"


def test_stop_silences_everything_until_start(chat):
    start(chat)
    assert chat.send("STOP") == ""
    assert chat.effects == ["opt_out"]
    assert chat.send("1") == ""
    assert chat.send("menu") == ""
    reply = chat.send("START")
    assert "Welcome back" in reply
    assert "How can we help?" in reply
    assert chat.effects == ["opt_in"]


def test_stop_on_whatsapp_is_confirmed_once(chat):
    start(chat)
    assert "Reply START" in chat.send("stop", channel="whatsapp")


def test_delete_asks_then_erases(chat):
    intake(chat)
    chat.send("1")
    reply = chat.send("DELETE")
    assert "Are you sure?" in reply
    reply = chat.send("yes")
    assert "We erased all we had" in reply
    assert chat.effects == ["erase"]
    assert chat.snapshot.state is None and chat.answers == {}


def test_delete_twice_is_a_yes(chat):
    start(chat)
    chat.send("delete")
    assert "We erased all we had" in chat.send("DELETE")
    assert chat.effects == ["erase"]


def test_delete_cancelled_goes_back_to_the_question(chat):
    intake(chat)
    chat.send("1")
    chat.send("delete")
    reply = chat.send("no")
    assert "What is their full name?" in reply
    assert chat.effects == []
    assert chat.answers["relationship"] == "parent"


def test_idle_conversation_offers_to_continue(chat):
    intake(chat)
    chat.send("1")
    chat.now += timedelta(hours=30)
    reply = chat.send("hello?")
    assert "go on where you left off" in reply
    assert "What is their full name?" in chat.send("1")
    assert chat.answers["relationship"] == "parent"


def test_idle_conversation_can_start_over(chat):
    intake(chat)
    chat.send("1")
    chat.now += timedelta(days=3)
    chat.send("hi")
    assert "How can we help?" in chat.send("2")
    assert chat.answers == {}


def test_media_mid_intake_is_kept_and_the_question_repeated(chat):
    intake(chat)
    chat.send("1")
    reply = chat.send("", media=("https://api.twilio.com/Media/ME1",))
    assert "we got your file" in reply
    assert "What is their full name?" in reply
    assert chat.last.effects[0].kind == "media"
    assert chat.last.effects[0].data["urls"] == ["https://api.twilio.com/Media/ME1"]
    assert chat.state == "name"


def test_language_name_switches_language_and_keeps_answers(chat, catalog):
    if "es" not in catalog.locales:
        pytest.skip("Spanish locale not present")
    intake(chat)
    chat.send("1")
    reply = chat.send("Español")
    assert chat.snapshot.locale == "es"
    assert chat.answers["relationship"] == "parent"
    assert reply  # the question again, now in Spanish


def test_two_misunderstandings_suggest_a_person(chat):
    start(chat)
    chat.send("banana")
    assert "AGENT" in chat.send("banana")


def test_not_sure_is_an_answer_where_it_is_an_option_and_a_skip_in_other_words(chat):
    intake(chat)
    while chat.state != "lawyer":
        chat.send("skip")
    chat.send("not sure")  # an option of this question
    assert chat.answers["lawyer"] == "unsure"
    chat.send("back")
    chat.send("Español")
    assert chat.state == "lawyer"
    chat.send("no estoy seguro")  # a Spanish way to skip, though it starts with "no"
    assert chat.answers["lawyer"] is None
    assert chat.state == "status"
