"""Opting in to the organization's news and out again, by keyword and after the intake."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.alerts import region_of
from bot.storage.alerts import AlertSubscription
from bot.storage.db import transaction
from bot.storage.models import Conversation
from tests.utils.advocates import conversation_with, open_intake_case, rows, state_of

FAMILY = "+15555550101"


def subscriptions(app) -> list[AlertSubscription]:  # type: ignore[no-untyped-def]
    return rows(app, AlertSubscription)


def start(twilio, language: str, sender: str = FAMILY) -> None:  # type: ignore[no-untyped-def]
    twilio.text("hello", sender=sender)
    twilio.text(language, sender=sender)


def test_alerts_keyword_subscribes_and_alerts_off_stops_in_english(app, twilio):
    start(twilio, "1")
    reply = twilio.text("ALERTS")
    assert "You will get news from the Family Hotline" in reply
    assert "Text ALERTS OFF to stop news" in reply
    [sub] = subscriptions(app)
    assert (sub.language, sub.channel, sub.region) == ("en", "sms", None)
    assert sub.conversation_id == conversation_with(app, FAMILY).id
    assert state_of(app, FAMILY) == "menu"  # the question it was at is asked again

    reply = twilio.text("alerts off")
    assert "You will not get news from us anymore" in reply
    assert subscriptions(app) == []


def test_alertas_keyword_subscribes_and_alertas_no_stops_in_spanish(app, twilio):
    start(twilio, "español")
    reply = twilio.text("ALERTAS")
    assert "Le vamos a mandar noticias de Family Hotline" in reply
    [sub] = subscriptions(app)
    assert sub.language == "es"

    reply = twilio.text("Alertas no")
    assert "Ya no le vamos a mandar noticias" in reply
    assert subscriptions(app) == []


def test_the_english_keyword_works_in_every_language(app, twilio):
    start(twilio, "español")
    assert "noticias" in twilio.text("alerts")
    assert [s.language for s in subscriptions(app)] == ["es"]


def test_the_subscription_takes_no_copy_of_the_number(app, twilio):
    start(twilio, "1")
    twilio.text("ALERTS")
    with Session(app.extensions["hotline"].db) as session:
        raw = session.connection().exec_driver_sql("SELECT * FROM alert_subscription").all()
    assert raw and all("5555550101" not in str(value) for value in raw[0])


def test_yes_after_sending_the_case_subscribes_in_english(app, twilio):
    ref = open_intake_case(twilio)
    assert ref
    assert state_of(app, FAMILY) == "alerts_offer"
    reply = twilio.text("1")
    assert "You will get news from the Family Hotline" in reply
    assert "Reply MENU to see the menu" in reply
    assert [s.language for s in subscriptions(app)] == ["en"]
    assert state_of(app, FAMILY) == "menu"


def test_si_after_sending_the_case_subscribes_in_spanish(app, twilio):
    twilio.text("hola", sender=FAMILY)
    twilio.text("español", sender=FAMILY)
    twilio.text("2", sender=FAMILY)  # someone was arrested
    from tests.utils.advocates import INTAKE

    for answer in INTAKE:
        twilio.text(answer, sender=FAMILY)
    reply = twilio.text("OK", sender=FAMILY)
    assert "¿Quiere recibir noticias de Family Hotline por mensaje?" in reply
    reply = twilio.text("sí", sender=FAMILY)
    assert "Le vamos a mandar noticias" in reply
    assert [s.language for s in subscriptions(app)] == ["es"]


def test_no_after_sending_the_case_subscribes_nobody(app, twilio):
    open_intake_case(twilio)
    reply = twilio.text("no")
    assert "OK, no news. Text ALERTS if you change your mind." in reply
    assert subscriptions(app) == []
    assert state_of(app, FAMILY) == "menu"


def test_ok_is_not_taken_for_consent_to_news(app, twilio):
    """"OK" after "Sent." acknowledges; it is not a yes to news."""
    open_intake_case(twilio)
    twilio.text("ok")
    assert subscriptions(app) == []


def test_the_region_is_the_zip_prefix_of_the_answers(app, twilio):
    start(twilio, "1")
    with transaction(app.extensions["hotline"].db) as session:
        conversation = session.exec(select(Conversation)).one()
        conversation.answers = {**conversation.answers, "zip": "77024"}
        session.add(conversation)
    twilio.text("ALERTS")
    [sub] = subscriptions(app)
    assert sub.region == "770"


def test_region_of_needs_five_digits():
    assert region_of({"zip": "10027"}) == "100"
    assert region_of({"zip": " 10027 "}) == "100"
    assert region_of({"zip": "1002"}) is None
    assert region_of({"zip": None}) is None
    assert region_of({}) is None
    assert region_of(None) is None


def test_delete_erases_the_subscription(app, twilio):
    start(twilio, "1")
    twilio.text("ALERTS")
    twilio.text("DELETE")
    twilio.text("1")  # yes, erase it
    assert subscriptions(app) == []


def test_alerts_while_an_advocate_holds_the_case_is_not_relayed(app, twilio):
    from tests.utils.advocates import Inbox, add_team, case_of, open_agent_case

    add_team(app)
    ref = open_agent_case(twilio)
    inbox = Inbox(app.test_client())
    inbox.login()
    inbox.act(ref, "claim")
    reply = twilio.text("ALERTS")
    assert "You will get news" in reply
    assert len(subscriptions(app)) == 1
    assert case_of(app, ref).status == "claimed"


# --------------------------------------------------------------------------- the pure engine
def test_the_news_question_is_not_resumed_a_day_later(chat):
    from datetime import timedelta

    from tests.test_conversation import full_intake

    full_intake(chat)
    assert "Do you want news from the Family Hotline by text?" in chat.send("OK")
    chat.now += timedelta(hours=25)
    reply = chat.send("hello")
    assert "Welcome back" not in reply and "news" not in reply
    assert chat.effects == [] and chat.state == "menu"


def test_stop_at_the_news_question_stops_everything(chat):
    from tests.test_conversation import full_intake

    full_intake(chat)
    chat.send("OK")
    chat.send("STOP")
    assert chat.effects == ["opt_out"]
    assert chat.send("1") == ""  # nothing, not even news, until START
    assert chat.effects == []


def test_alerts_at_the_news_question_subscribes(chat):
    from tests.test_conversation import full_intake

    full_intake(chat)
    chat.send("OK")
    reply = chat.send("ALERTS")
    assert "You will get news from the Family Hotline" in reply
    assert "Do you want news" not in reply  # not asked again: on to the menu
    assert chat.effects == ["alerts"] and chat.last.effects[0].data == {"on": True}
    assert chat.state == "menu"


def test_a_text_that_does_not_answer_the_news_question_goes_to_the_menu(chat):
    """The question is optional: it never holds a family back from what they came for."""
    from tests.test_conversation import full_intake

    full_intake(chat)
    chat.send("OK")
    reply = chat.send("3")  # not an option here; at the menu, "find a person held by ICE"
    assert "Sorry" not in reply and "news" not in reply
    assert any(key.startswith("locate.") for key in chat.keys)
    assert "alerts" not in chat.effects
