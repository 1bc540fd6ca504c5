"""The engine asks for a case with the right kind: AGENT, a consented intake, an urgent one now."""

from __future__ import annotations

# Hello, English, someone was arrested, consent, not urgent, then every question answered.
INTAKE = [
    "hello", "1", "2", "yes", "2", "2", "Juan Perez", "Guatemala", "A123456789", "3/14/1985",
    "Conroe", "yesterday", "at work in Houston", "1", "January 15", "2", "3", "1", "2", "1",
    "2", "1", "1", "2", "1", "1 2", "2", "1", "3", "20001",
]


def test_agent_asks_for_a_case_of_kind_agent(chat):
    chat.send("hello")
    chat.send("1")
    text = chat.send("AGENT")
    assert "Your case number is K7F-3QX" in text
    effect = chat.last.effects[0]
    assert (effect.kind, effect.data["kind"]) == ("open_case", "agent")


def test_consented_intake_asks_for_an_intake_case_with_the_answers(chat):
    for text in INTAKE:
        chat.send(text)
    assert chat.state == "review"
    assert chat.answers["hearing"] == "January 15"
    text = chat.send("OK")
    assert "Sent. Your case number is K7F-3QX" in text
    effect = chat.last.effects[0]
    assert effect.kind == "open_case"
    assert effect.data["kind"] == "intake" and effect.data["urgent"] is False
    assert effect.data["answers"]["a_number"] == "123456789"


def test_no_case_is_asked_for_before_the_review_when_not_urgent(chat):
    for text in INTAKE:
        chat.send(text)
        assert "open_case" not in chat.effects and "case_answers" not in chat.effects


def test_urgent_yes_opens_an_urgent_case_at_once_and_says_a_person_is_told(chat):
    for text in ("hello", "1", "2", "yes"):
        chat.send(text)
    text = chat.send("1")  # urgent: yes
    assert "We are telling an advocate now. Your case number is K7F-3QX" in text
    assert "Answer what you can, or reply SKIP" in text
    assert "Please tell us what is happening" in text
    effect = chat.last.effects[0]
    assert (effect.kind, effect.data["kind"]) == ("open_case", "intake")
    assert effect.data["urgent"] is True
    assert effect.data["answers"] == {"consent": "yes", "urgent": "yes"}


def test_after_an_urgent_case_each_answer_updates_it_and_the_review_sends_it_once_more(chat):
    for text in ("hello", "1", "2", "yes", "1"):
        chat.send(text)
    chat.send("they move him to Texas tonight")
    update = chat.last.effects[0]
    assert update.kind == "case_answers"
    assert update.data["answers"]["urgent_details"] == "they move him to Texas tonight"
    chat.send("2")
    assert chat.last.effects[0].data["answers"]["relationship"] == "spouse"
    while chat.state != "review":
        chat.send("skip")
        assert chat.effects == ["case_answers"]
    text = chat.send("OK")
    assert "Your case number is K7F-3QX" in text
    assert [e.kind for e in chat.last.effects] == ["open_case", "referrals"]
    assert chat.last.effects[0].data["urgent"] is True
    chat.send("MENU")
    assert chat.effects == []  # the case is sent: no more updates from here


def test_children_with_no_one_to_care_for_them_make_the_case_urgent(chat):
    for text in ("hello", "1", "2", "yes", "2"):
        chat.send(text)
    while chat.state != "children":
        chat.send("skip")
    chat.send("1")
    chat.send("2")  # no one cares for them now
    while chat.state != "review":
        chat.send("skip")
    chat.send("OK")
    assert chat.last.effects[0].data["urgent"] is True
