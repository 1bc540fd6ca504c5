"""The engine asks for a case with the right kind: AGENT, and a consented intake."""

from __future__ import annotations

INTAKE = [
    "hello", "1", "2", "2", "Juan Perez", "3/14/1985", "Guatemala", "A123456789", "yesterday",
    "at work in Houston", "Conroe", "1", "they will move him tomorrow", "15", "1 2", "no", "1",
    "3", "1",
]


def test_agent_asks_for_a_case_of_kind_agent(chat):
    chat.send("hello")
    chat.send("1")
    text = chat.send("AGENT")
    assert "Your case number is K7F-3QX" in text
    effect = chat.last.effects[0]
    assert (effect.kind, effect.data["kind"]) == ("open_case", "agent")


def test_consented_intake_asks_for_an_urgent_intake_case_with_the_answers(chat):
    for text in INTAKE:
        chat.send(text)
    assert chat.state == "review"
    text = chat.send("OK")
    assert "Sent. Your case number is K7F-3QX" in text
    effect = chat.last.effects[0]
    assert effect.kind == "open_case"
    assert effect.data["kind"] == "intake" and effect.data["urgent"] is True
    assert effect.data["answers"]["a_number"] == "123456789"
