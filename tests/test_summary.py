"""The handoff summary follows the flow: labels from the locales, answers normalised or verbatim."""

from __future__ import annotations

import datetime as dt

from bot.advocates.summary import summarize
from bot.storage.models import Case, Message

TODAY = dt.date(2026, 11, 30)


def case(**answers: object) -> Case:
    return Case(
        ref="K7F-3QX", conversation_id=1, kind="intake", urgent=False, language="es",
        answers=answers, created_at=dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC),
    )


def facts(summary) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.label: f.value for f in summary.facts}


def test_facts_are_normalised_and_free_text_is_verbatim(flow, catalog):
    summary = summarize(
        case(a_number="012345678", dob="1985-03-14", callback="+525512345678",
             held_at="  el centro de Conroe ", relationship="sibling", arrest_date="2026-11-29"),
        flow=flow, catalog=catalog, reading="en", today=TODAY,
    )
    shown = facts(summary)
    assert shown["A-number"] == "A-012-345-678"
    assert shown["Born"] == "1985-03-14 · March 14, 1985"
    assert shown["Arrested on"] == "2026-11-29 · November 29, 2026 · 1 day ago"
    assert shown["Call back at"] == "+52 55 1234 5678"
    assert [f.link for f in summary.facts if f.label == "Call back at"] == ["tel:+525512345678"]
    assert shown["Held at"] == "  el centro de Conroe "
    assert shown["You are their"] == "Brother or sister"
    assert shown["Name"] == "(skipped)"


def test_a_country_typed_in_the_familys_language_is_named_for_the_advocate(flow, catalog):
    summary = summarize(case(country="Alemania"), flow=flow, catalog=catalog, reading="en",
                        today=TODAY)
    [country] = [f for f in summary.facts if f.label == "Country of birth"]
    assert (country.value, country.typed) == ("Germany (DE)", "Alemania")
    unknown = summarize(case(country="Narnia"), flow=flow, catalog=catalog, reading="en")
    assert facts(unknown)["Country of birth"] == "Narnia"


def test_urgency_and_its_reason_come_first(flow, catalog):
    summary = summarize(
        case(urgent="yes", urgent_details="lo van a deportar el lunes"),
        flow=flow, catalog=catalog, reading="en", today=TODAY,
    )
    assert [(f.label, f.value) for f in summary.urgent_reasons] == [
        ("Urgent", "Yes"), ("What is urgent", "lo van a deportar el lunes")
    ]
    assert "Urgent" not in facts(summary) and "What is urgent" not in facts(summary)


def test_positive_factors_are_a_checklist(flow, catalog):
    summary = summarize(case(factors=["school", "health"]), flow=flow, catalog=catalog,
                        reading="en")
    assert summary.checklist_label == "Ties and needs"
    assert [(c.label, c.checked) for c in summary.checklist] == [
        ("US citizen or resident family", False), ("Works", False), ("In school", True),
        ("Church or community", False), ("Health or care needs", True),
        ("Changed life after a past case", False),
    ]


def test_call_language_names_the_chat_language_or_the_one_typed(flow, catalog):
    same = summarize(case(call_language="chat"), flow=flow, catalog=catalog, reading="en")
    assert same.call_language.value == "Spanish"
    other = summarize(case(call_language="other", call_language_other="Akateko"),
                      flow=flow, catalog=catalog, reading="en")
    assert other.call_language.value == "Other: Akateko"
    assert "Other language" not in facts(other)


def test_dates_are_written_in_the_advocates_language(flow, catalog):
    summary = summarize(case(dob="1985-03-14"), flow=flow, catalog=catalog, reading="es")
    born = catalog.render("intake.dob.label", "es")  # the label in Spanish too
    assert born != "Born"
    assert facts(summary)[born] == "1985-03-14 · 14 de marzo de 1985"


def test_the_familys_own_sentences_are_kept_word_for_word(flow, catalog):
    messages = [
        Message(conversation_id=1, direction="in", body="hola"),
        Message(conversation_id=1, direction="in", body="Mi hijo fue detenido ayer en la parada"),
        Message(conversation_id=1, direction="out", body="This is the Family Hotline and more"),
    ]
    summary = summarize(case(), flow=flow, catalog=catalog, reading="en", messages=messages)
    assert summary.own_words == ["Mi hijo fue detenido ayer en la parada"]
