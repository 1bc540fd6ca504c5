"""STATUS: a family learns where their case stands, in their language; nobody else learns it."""

from __future__ import annotations

import re

import pytest

from tests.test_hearings import HEARING, RECORDED_AT, ana, open_spanish_case  # noqa: F401
from tests.utils.advocates import Clock, Inbox, add_advocate, open_agent_case, use_clock

pytestmark = pytest.mark.usefixtures("fast_passwords")
FAMILY, ANA, STRANGER = "+15555550101", "+15555550201", "+15555550299"


def test_status_follows_the_case_from_received_to_closed_in_english(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    reply = twilio.text("STATUS")
    assert reply.startswith(f"Case {ref}: we have it. No advocate has taken it yet.")

    ana.act(ref, "claim")  # the bot is quiet now, but STATUS is still answered
    reply = twilio.text("my case")
    assert reply == f"Case {ref}: an advocate has your case. They will write to you here."
    assert "Ana" not in reply  # she has not chosen to share her name

    ana.act(ref, "reply", body="Can you send me his A-number?")
    assert twilio.text("status") == (
        f"Case {ref}: your advocate is waiting for your answer. Please read their last "
        "message and reply here."
    )

    ana.act(ref, "close")
    assert twilio.text("Status").startswith(f"Case {ref} is closed. If you need help again")


def test_the_advocates_first_name_only_when_she_shares_it(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    ana.get("/inbox/me")
    saved = ana.post("/inbox/me", {"share_first_name": "yes"}, follow_redirects=True)
    assert "Saved." in saved.get_data(as_text=True)
    assert twilio.text("STATUS") == (
        f"Case {ref}: Ana, an advocate, has your case. They will write to you here."
    )
    ana.get("/inbox/me")
    ana.post("/inbox/me", {"share_first_name": "no"})
    assert "Ana" not in twilio.text("STATUS")


def test_status_names_the_next_hearing(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    ana.act(ref, "hearing", **HEARING)
    reply = twilio.text("STATUS")
    assert reply.startswith(
        f"Case {ref}: we have it. No advocate has taken it yet. An advocate will text or call "
        "you.\n\nNext court hearing: Tuesday, January 15, 2030, 9:00 AM, at Chicago "
        "Immigration Court."
    )


def test_status_in_spanish(app, twilio, ana):  # noqa: F811
    ref = open_spanish_case(twilio)
    assert twilio.text("estado").startswith(
        f"Caso {ref}: lo recibimos. Ningún defensor lo ha tomado todavía."
    )
    ana.act(ref, "hearing", **HEARING)
    ana.act(ref, "claim")
    assert twilio.text("mi caso") == (
        f"Caso {ref}: un defensor tiene su caso. Le va a escribir aquí.\n\n"
        "Próxima audiencia en la corte: martes, 15 de enero de 2030, 9:00, en Chicago "
        "Immigration Court."
    )


def test_another_number_learns_nothing(app, twilio, ana):  # noqa: F811
    ref = open_agent_case(twilio)
    ana.act(ref, "hearing", **HEARING)
    twilio.text("hello", sender=STRANGER)
    twilio.text("1", sender=STRANGER)
    reply = twilio.text("STATUS", sender=STRANGER)
    assert reply.startswith("We have no case for this phone number. Reply MENU")
    assert ref not in reply and "2030" not in reply and "Chicago" not in reply
    assert re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", reply) is None


def test_a_spanish_texter_without_a_case_hears_so_in_spanish(app, twilio):
    use_clock(app, Clock(RECORDED_AT))
    twilio.text("hola", sender=STRANGER)
    twilio.text("Español", sender=STRANGER)
    assert twilio.text("estado", sender=STRANGER).startswith(
        "No tenemos ningún caso para este número de teléfono. Responda MENÚ"
    )


def test_status_in_the_middle_of_the_questions_asks_the_question_again(app, twilio):
    twilio.text("ICE took my husband this morning")
    twilio.text("1")  # English: straight to the consent question
    reply = twilio.text("status")
    assert reply.startswith("We have no case for this phone number.")
    assert "Is that OK?" in reply


def test_advocate_settings_page_needs_a_login_and_a_token(app, client):
    add_advocate(app, "Ana Ruiz", ANA, "ana@example.org")
    assert client.get("/inbox/me").status_code in (302, 401)
    inbox = Inbox(client)
    inbox.login("ana@example.org")
    assert inbox.post("/inbox/me", {"share_first_name": "yes"}, token=False).status_code == 400
