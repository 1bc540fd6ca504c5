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
             held_at="  el centro de Conroe ", relationship="sibling", arrest_date="2026-11-29",
             name=None),
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
    assert shown["Name"] == "(skipped)"  # SKIP saves None
    assert "Country of birth" not in shown  # never asked: not listed, not "(skipped)"


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


# What a family answered to every question of the intake, as the engine stores it.
ANSWERED = dict(
    consent="yes", urgent="no", relationship="parent", name="Juan Perez",
    court_case="yes", hearing="el 8 de diciembre en Houston", removal_order="unsure",
    papers="signed", lawyer="no", status=["tps", "petition"], fear="yes", years_in_us="2_to_10",
    children="yes", children_care="yes", medicine="yes", medicine_details="insulina",
    own_language="kiche", factors=["work"], criminal_history="no", call_language="es",
)


def test_the_new_facts_are_labelled_in_english(flow, catalog):
    summary = summarize(case(**ANSWERED), flow=flow, catalog=catalog, reading="en")
    shown = facts(summary)
    assert shown["Court case now"] == "Yes: el 8 de diciembre en Houston"  # the hearing, as typed
    assert "Next court date" not in shown  # shown with the court case it follows
    assert shown["Past deportation order or missed court date"] == "Not sure"
    assert shown["Papers from ICE"] == "Signed papers"
    assert shown["Has a lawyer"] == "No"
    assert shown["Cases or status"] == "TPS, Family petition"  # several answers: one fact
    assert shown["Afraid to go back"] == "Yes"
    assert shown["Time in the US"] == "2 to 10 years"
    assert shown["Children under 18"] == "Yes"
    assert shown["Someone cares for the children"] == "Yes"
    assert shown["Needs daily medicine"] == "Yes: insulina"
    assert shown["Their language"] == "K'iche'"
    assert shown["Past arrest or criminal case"] == "No"
    assert summary.call_language.value == "Spanish"
    # Only the ties-and-needs question is the checklist; the others are facts.
    assert summary.checklist_label == "Ties and needs"
    assert [c.label for c in summary.checklist if c.checked] == ["Works"]
    assert summary.urgent_reasons == []


def test_the_new_facts_are_labelled_in_spanish_for_an_advocate_who_reads_spanish(flow, catalog):
    summary = summarize(case(**ANSWERED), flow=flow, catalog=catalog, reading="es")
    assert facts(summary) == {
        "Usted es su": "Mamá o papá",
        "Nombre": "Juan Perez",
        "Caso en corte ahora": "Sí: el 8 de diciembre en Houston",
        "Orden de deportación o faltó a corte": "No sé",
        "Papeles de ICE": "Firmó papeles",
        "Tiene abogado": "No",
        "Casos o estatus": "TPS, Petición familiar",
        "Miedo de regresar": "Sí",
        "Tiempo en EE. UU.": "De 2 a 10 años",
        "Hijos menores de 18": "Sí",
        "Alguien cuida a los niños": "Sí",
        "Medicina diaria": "Sí: insulina",
        "Su idioma": "K'iche'",
        "Arresto o caso criminal antes": "No",
    }
    assert summary.checklist_label == "Lazos y necesidades"
    assert (summary.call_language.label, summary.call_language.value) == (
        "Idioma para llamar", "Español"
    )


def test_children_without_care_are_a_reason_it_is_urgent_listed_first(flow, catalog):
    summary = summarize(
        case(urgent="yes", urgent_details="lo mueven hoy", children="yes", children_care="no",
             medicine="no"),
        flow=flow, catalog=catalog, reading="en",
    )
    assert [(f.label, f.value) for f in summary.urgent_reasons] == [
        ("Urgent", "Yes"), ("What is urgent", "lo mueven hoy"),
        ("Someone cares for the children", "No, they need care"),
    ]
    assert facts(summary) == {"Children under 18": "Yes", "Needs daily medicine": "No"}
    text = summary.text()
    assert text.index("Someone cares for the children: No, they need care") < text.index("Facts:")


def test_their_own_language_when_not_listed_is_the_one_typed(flow, catalog):
    summary = summarize(case(own_language="other", own_language_other="Akateko"),
                        flow=flow, catalog=catalog, reading="en")
    assert facts(summary) == {"Their language": "Other: Akateko"}


def test_a_case_opened_as_urgent_lists_only_what_was_answered_so_far(flow, catalog):
    """The fast lane: the advocates read the case before the other questions are asked."""
    early = summarize(case(consent="yes", urgent="yes"), flow=flow, catalog=catalog,
                      reading="es")
    assert [(f.label, f.value) for f in early.urgent_reasons] == [("Urgente", "Sí")]
    assert early.facts == [] and early.checklist == []  # nothing shown as "(skipped)"
    # Until they say, the call is in the language of the chat, labelled for the reader.
    assert (early.call_language.label, early.call_language.value) == (
        "Idioma para llamar", "español"
    )
    later = summarize(case(consent="yes", urgent="yes", urgent_details=None, name="Juan Perez",
                           a_number="123456789"),
                      flow=flow, catalog=catalog, reading="en")
    assert facts(later) == {"Name": "Juan Perez", "A-number": "A-123-456-789"}


def test_criminal_history_is_shown_as_the_choice_made(flow, catalog):
    for stored, shown in (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")):
        summary = summarize(case(criminal_history=stored), flow=flow, catalog=catalog,
                            reading="en")
        assert facts(summary) == {"Past arrest or criminal case": shown}
