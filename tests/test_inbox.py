"""The web inbox: login, queue, case page, claim, reply, close, hand back, roles, CSRF, audit."""

from __future__ import annotations

import pytest

from bot.storage.advocates import AuditEntry, CaseEvent, CaseNote
from bot.storage.models import Conversation
from tests.utils.advocates import (
    FAMILY,
    PASSWORD,
    Inbox,
    add_advocate,
    case_of,
    conversation_of,
    open_agent_case,
    open_intake_case,
    outbox,
    rows,
    transcript,
    use_clock,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")
ANA, BEN = "+15555550201", "+15555550202"


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    use_clock(app)
    return {
        "ana": add_advocate(app, "Ana Ruiz", ANA, "ana@example.org", ("en",)),
        "ben": add_advocate(app, "Ben Ortiz", BEN, "ben@example.org", ("en",)),
        "dora": add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org",
                             role="admin"),
    }


@pytest.fixture
def ana(client, team) -> Inbox:  # type: ignore[no-untyped-def]
    inbox = Inbox(client)
    assert inbox.login("ana@example.org").status_code == 302
    return inbox


def other_browser(app, email: str) -> Inbox:  # type: ignore[no-untyped-def]
    inbox = Inbox(app.test_client())
    assert inbox.login(email).status_code == 302
    return inbox


def summary_facts(page: str) -> dict[str, str]:
    """The summary's labelled answers as an advocate reads them: label → value."""
    from lxml import html

    [section] = html.fromstring(page).xpath('//section[@aria-label="Summary"]')
    facts = {}
    for term in section.xpath(".//dt"):
        value = term.getnext()
        facts[" ".join(term.text_content().split())] = " ".join(value.text_content().split())
    return facts


# --------------------------------------------------------------------------- logging in
def test_inbox_needs_a_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "/inbox/login" in response.headers["Location"]
    assert client.get("/inbox/cases/K7F-3QX").status_code == 302


def test_login_with_the_right_password_shows_the_queue_and_logout_ends_it(client, team):
    inbox = Inbox(client)
    response = inbox.login("ANA@example.org ")
    assert response.status_code == 302
    page = inbox.page("/inbox/")
    assert "Ana Ruiz" in page and "No cases here." in page
    inbox.post("/inbox/logout")
    assert client.get("/inbox/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, team):
    inbox = Inbox(client)
    wrong = inbox.login("ana@example.org", "not the password")
    unknown = inbox.login("nobody@example.org", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/inbox/").status_code == 302


def test_deactivated_advocate_cannot_log_in_and_is_logged_out(app, client, team, ana):
    from bot.advocates import roster
    from bot.storage.db import transaction

    with transaction(app.extensions["hotline"].db) as session:
        roster.deactivate(session, roster.find(session, "ana@example.org"))
    assert client.get("/inbox/").status_code == 302
    assert Inbox(app.test_client()).login("ana@example.org").status_code == 401


def test_login_attempts_are_rate_limited_per_account(app, client, team):
    inbox = Inbox(client)
    for _ in range(5):
        assert inbox.login("ana@example.org", "guess guess guess").status_code == 401
    blocked = inbox.login("ana@example.org", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    # Another account from elsewhere is not locked out by Ana's guesser.
    assert other_browser(app, "ben@example.org") is not None
    # Fifteen minutes later Ana can log in again.
    app.extensions["advocates"].clock.advance(minutes=16)
    assert Inbox(app.test_client()).login("ana@example.org").status_code == 302
    actions = [e.action for e in rows(app, AuditEntry)]
    # One row for the window's failures from this address, one for its refusals.
    assert actions.count("login_failed") == 1 and actions.count("login_blocked") == 1


def test_login_attempts_are_rate_limited_per_address(app, client, team):
    inbox = Inbox(client)
    for n in range(20):
        assert inbox.login(f"guess{n}@example.org", "guess guess guess").status_code == 401
    # The same address is now refused even for a real account with the right password.
    assert inbox.login("ben@example.org").status_code == 429


def test_session_cookie_is_http_only(client, team):
    response = Inbox(client).login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_session_cookie_is_secure_and_host_only(app_settings):
    from bot import create_app

    app_settings["env"] = "production"
    app = create_app(app_settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-hotline"
    app.extensions["hotline"].db.dispose()


# --------------------------------------------------------------------------- CSRF
def test_login_without_a_csrf_token_is_refused(client, team):
    inbox = Inbox(client)
    response = inbox.post(
        "/inbox/login", {"email": "ana@example.org", "password": PASSWORD}, token=False
    )
    assert response.status_code == 400
    assert "Form refused" in response.get_data(as_text=True)
    assert client.get("/inbox/").status_code == 302


def test_case_action_without_a_csrf_token_is_refused(app, twilio, ana):
    ref = open_agent_case(twilio)
    for action in ("claim", "reply", "close", "notes"):
        response = ana.post(f"/inbox/cases/{ref}/{action}", {"body": "hi"}, token=False)
        assert response.status_code == 400
    assert case_of(app, ref).status == "new"
    assert outbox(app, kind="advocate_reply") == []
    assert rows(app, CaseNote) == []


def test_every_twilio_webhook_is_exempt_from_csrf(app, client):
    """Twilio signs its posts and sends no CSRF token: CSRF must never answer them."""
    twilio_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/twilio/")]
    assert twilio_rules
    for rule in twilio_rules:
        if "POST" in rule.methods:
            response = client.post(rule.rule, data={"MessageSid": "SM1", "From": "+15555550101"})
            assert response.status_code == 403  # refused for its missing signature, not CSRF
            assert b"CSRF" not in response.data


# --------------------------------------------------------------------------- the queue
def test_queue_lists_urgent_first_then_longest_waiting(app, twilio, ana):
    clock = app.extensions["advocates"].clock
    first = open_agent_case(twilio, sender="+15555550111")
    clock.advance(minutes=5)
    second = open_agent_case(twilio, sender="+15555550112")
    urgent = open_intake_case(twilio, sender="+15555550113")
    page = ana.page("/inbox/")
    assert page.index(urgent) < page.index(first) < page.index(second)
    assert "URGENT" in page and "English" in page and "asked for a person" in page


def test_queue_filters_by_urgency_status_and_language(app, twilio, ana):
    plain = open_agent_case(twilio, sender="+15555550111")
    urgent = open_intake_case(twilio, sender="+15555550113")
    only_urgent = ana.page("/inbox/?urgent=1")
    assert urgent in only_urgent and plain not in only_urgent
    ana.act(plain, "claim")
    mine = ana.page("/inbox/?status=mine")
    assert plain in mine and urgent not in mine
    assert "No cases here." in ana.page("/inbox/?language=es")
    assert plain in ana.page("/inbox/?language=en")


# --------------------------------------------------------------------------- the case page
def test_case_page_shows_a_summary_to_act_on_in_a_minute(app, twilio, ana):
    ref = open_intake_case(twilio, story="My husband Juan was taken by ICE at work today")
    page = ana.page(f"/inbox/cases/{ref}")
    assert "URGENT" in page
    assert "they said he will be moved tomorrow" in page  # why it is urgent, verbatim
    assert "A-123-456-789" in page
    assert "1985-03-14 · March 14, 1985" in page
    assert "2026-11-27 · November 27, 2026 · 3 days ago" in page
    assert "Guatemala (GT)" in page
    assert 'href="tel:+15555550101"' in page and "(555) 555-0101" in page
    assert "Language for the call:</strong> English" in page
    assert "☑ US citizen or resident family" in page and "☑ Works" in page
    assert "☐ In school" in page
    assert "My husband Juan was taken by ICE at work today" in page  # their own words
    facts = summary_facts(page)
    # The answers the family wrote are shown verbatim, with the choice they follow.
    assert facts["Court case now"] == "Yes: December 8 in Houston"
    assert facts["Needs daily medicine"] == "Yes: insulin for diabetes"
    assert facts["Past deportation order or missed court date"] == "No"
    assert facts["Papers from ICE"] == "Got papers, did not sign"
    assert facts["Has a lawyer"] == "No"
    assert facts["Cases or status"] == "Asylum case, Family petition"
    assert facts["Afraid to go back"] == "Yes"
    assert facts["Time in the US"] == "More than 10 years"
    assert facts["Children under 18"] == "Yes"
    assert facts["Someone cares for the children"] == "Yes"
    assert facts["Their language"] == "Mam"
    assert facts["Past arrest or criminal case"] == "Yes"  # a choice: no details by text
    # Why it is urgent comes before the facts.
    assert facts["What is urgent"] == "they said he will be moved tomorrow"
    assert page.index("they said he will be moved tomorrow") < page.index("Court case now")


def test_case_page_labels_follow_the_advocates_language(app, twilio, client, tmp_path):
    """Labels come from the locales in the advocate's first language."""
    add_advocate(app, "Lupe", "+15555550209", "lupe@example.org", ("es", "en"))
    use_clock(app)
    ref = open_intake_case(twilio)  # an English-speaking family
    page = other_browser(app, "lupe@example.org").page(f"/inbox/cases/{ref}")
    facts = summary_facts(page)
    assert facts["Nombre"] == "Juan Perez Lopez"
    assert facts["Nació"] == "1985-03-14 · 14 de marzo de 1985"  # dates written in Spanish
    assert facts["Lo urgente"] == "they said he will be moved tomorrow"  # their words as typed
    assert facts["Caso en corte ahora"] == "Sí: December 8 in Houston"
    assert facts["Orden de deportación o faltó a corte"] == "No"
    assert facts["Papeles de ICE"] == "Recibió papeles, no firmó"
    assert facts["Tiene abogado"] == "No"
    assert facts["Casos o estatus"] == "Caso de asilo, Petición familiar"
    assert facts["Miedo de regresar"] == "Sí"
    assert facts["Tiempo en EE. UU."] == "Más de 10 años"
    assert facts["Hijos menores de 18"] == "Sí"
    assert facts["Alguien cuida a los niños"] == "Sí"
    assert facts["Medicina diaria"] == "Sí: insulin for diabetes"
    assert facts["Su idioma"] == "Mam"
    assert facts["Arresto o caso criminal antes"] == "Sí"
    assert "Lazos y necesidades" in page and "☑ Familia ciudadana o residente" in page
    assert "Court case now" not in facts and "Time in the US" not in facts


def test_case_page_shows_transcript_with_delivery_status_and_timeline(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "reply", body="Hello, I am Ana. I will call you soon.")
    page = ana.page(f"/inbox/cases/{ref}")
    assert "AGENT" in page  # the family's message
    assert "Hello, I am Ana. I will call you soon." in page
    assert '<span class="status">queued</span>' in page
    assert "notified" in page and "claimed by Ana Ruiz" in page and "replied by Ana Ruiz" in page


def test_every_case_view_is_in_the_audit_log_without_personal_data(app, twilio, ana):
    ref = open_intake_case(twilio)
    ana.page(f"/inbox/cases/{ref}")
    views = [e for e in rows(app, AuditEntry) if e.action == "view_case"]
    assert len(views) == 1 and views[0].ref == ref and views[0].advocate_id is not None


def test_unknown_case_is_a_404(ana):
    assert ana.get("/inbox/cases/ZZZ-ZZZ").status_code == 404


# --------------------------------------------------------------------------- claim and reply
def test_claim_quiets_the_bot_and_holder_gets_a_link_when_the_family_writes(app, twilio, ana):
    ref = open_agent_case(twilio)
    page = ana.act(ref, "claim").get_data(as_text=True)
    assert "You hold this case" in page
    assert case_of(app, ref).status == "claimed"
    assert conversation_of(app, ref).data["held"] is True

    assert twilio.text("Are you there? He has a court date Friday") == ""  # the bot is silent
    assert transcript(app, ref)[-1].body == "Are you there? He has a court date Friday"
    [notice] = outbox(app, kind="notify", to=ANA)[-1:]
    assert notice.body == f"Hotline: new message on case {ref}. Open https://hotline.example.org/inbox/cases/{ref}"
    # A burst of messages sends one notice, not one per message.
    twilio.text("Please")
    assert len([r for r in outbox(app, kind="notify", to=ANA) if "new message" in r.body]) == 1


def test_while_held_the_bot_still_answers_help_stop_and_delete(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    assert "Reply MENU to see the menu" in twilio.text("HELP")
    assert "erases all we have" in twilio.text("DELETE")


def test_reply_goes_to_the_family_through_the_outbox_and_into_the_transcript(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    ana.act(ref, "reply", body="Hola, soy Ana. ¿Cuándo lo detuvieron?")
    [row] = outbox(app, kind="advocate_reply")
    assert (row.to, row.body, row.status) == (
        FAMILY, "Hola, soy Ana. ¿Cuándo lo detuvieron?", "pending"
    )
    last = transcript(app, ref)[-1]
    assert (last.author, last.direction, last.status) == ("advocate", "out", "queued")
    assert last.id == row.message_id


def test_reply_to_an_unclaimed_case_claims_it_first(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "reply", body="Hello")
    assert case_of(app, ref).status == "claimed"
    assert conversation_of(app, ref).data["held"] is True


def test_reply_to_a_whatsapp_family_goes_by_whatsapp(app, twilio, ana):
    ref = open_agent_case(twilio, sender="whatsapp:+15555550177")
    ana.act(ref, "reply", body="Hello")
    [row] = outbox(app, kind="advocate_reply")
    assert (row.to, row.channel) == ("whatsapp:+15555550177", "whatsapp")


def test_canned_reply_sends_its_text_in_the_familys_language(app, twilio, ana):
    ref = open_agent_case(twilio)
    page = ana.page(f"/inbox/cases/{ref}")
    assert "I will call you soon." in page
    ana.act(ref, "reply", canned="hello")
    [row] = outbox(app, kind="advocate_reply")
    assert row.body == (
        f"Hello, I am an advocate with the Family Hotline. I have your case {ref} and I am "
        "reading it now."
    )


def test_empty_reply_is_refused_with_a_message(app, twilio, ana):
    ref = open_agent_case(twilio)
    page = ana.act(ref, "reply", body="   ").get_data(as_text=True)
    assert "The message is empty." in page
    assert outbox(app, kind="advocate_reply") == []


def test_family_that_texted_stop_cannot_be_texted(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    twilio.text("STOP")
    page = ana.act(ref, "reply", body="Hello?").get_data(as_text=True)
    assert "The family texted STOP" in page
    assert outbox(app, kind="advocate_reply") == []


def test_someone_elses_case_cannot_be_claimed_replied_or_closed(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    ben = other_browser(app, "ben@example.org")
    assert "already held by Ana Ruiz" in ben.act(ref, "claim").get_data(as_text=True)
    assert "already held by Ana Ruiz" in ben.act(ref, "reply", body="hi").get_data(as_text=True)
    assert "held by Ana Ruiz" in ben.act(ref, "close").get_data(as_text=True)
    assert case_of(app, ref).status == "claimed"
    assert outbox(app, kind="advocate_reply") == []


# ------------------------------------------------------------------ close, release, hand back
def test_close_sends_the_closing_message_and_gives_the_family_back_to_the_bot(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    page = ana.act(ref, "close").get_data(as_text=True)
    assert "The case is closed" in page
    case = case_of(app, ref)
    assert case.status == "closed" and case.closed_at is not None
    [closing] = outbox(app, kind="closing")
    assert closing.to == FAMILY
    assert closing.body.startswith(f"Your advocate closed case {ref}.")
    assert "held" not in conversation_of(app, ref).data
    assert "How can we help?" in twilio.text("MENU")


def test_release_puts_the_case_back_in_the_queue_and_tells_advocates_again(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    before = len(outbox(app, kind="notify"))
    ana.act(ref, "release")
    case = case_of(app, ref)
    assert case.status == "new"
    assert "held" not in conversation_of(app, ref).data
    again = outbox(app, kind="notify")[before:]
    assert {r.to for r in again} >= {ANA, BEN}
    assert all(f"case {ref} is back in the queue" in r.body for r in again)


def test_hand_back_lets_the_bot_answer_while_the_advocate_keeps_the_case(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    ana.act(ref, "hand-back")
    assert case_of(app, ref).status == "claimed"
    assert "How can we help?" in twilio.text("MENU")
    # Writing to the family again takes the conversation back from the bot.
    ana.act(ref, "reply", body="One more question")
    assert conversation_of(app, ref).data["held"] is True
    assert twilio.text("ok") == ""


# --------------------------------------------------------------------------- notes, export, roles
def test_private_notes_are_kept_and_never_sent(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "notes", body="Called the family; cousin has the A-number.")
    assert "Called the family; cousin has the A-number." in ana.page(f"/inbox/cases/{ref}")
    assert [n.body for n in rows(app, CaseNote)] == ["Called the family; cousin has the A-number."]
    assert all("cousin" not in (r.body or "") for r in outbox(app))


def test_export_is_for_the_holder_and_is_audited(app, twilio, ana):
    ref = open_intake_case(twilio)
    assert ana.get(f"/inbox/cases/{ref}/export").status_code == 403
    ana.act(ref, "claim")
    response = ana.get(f"/inbox/cases/{ref}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="case-{ref}.txt"'
    text = response.get_data(as_text=True)
    assert "A-123-456-789" in text and "Transcript:" in text
    assert "export_case" in [e.action for e in rows(app, AuditEntry)]


def test_audit_log_is_for_admins_only(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.page(f"/inbox/cases/{ref}")
    assert ana.get("/inbox/audit").status_code == 403
    assert ana.get("/inbox/advocates").status_code == 403
    dora = other_browser(app, "dora@example.org")
    page = dora.page("/inbox/audit")
    assert "view_case" in page and ref in page and "Ana Ruiz" in page
    assert "Ana Ruiz" in dora.page("/inbox/advocates")


def test_closed_case_is_seen_by_its_holder_and_admins_only(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    ana.act(ref, "close")
    assert ana.get(f"/inbox/cases/{ref}").status_code == 200
    assert other_browser(app, "ben@example.org").get(f"/inbox/cases/{ref}").status_code == 403
    assert other_browser(app, "dora@example.org").get(f"/inbox/cases/{ref}").status_code == 200
    assert ref not in other_browser(app, "ben@example.org").page("/inbox/?status=closed")


def test_admin_can_release_someone_elses_case(app, twilio, ana):
    ref = open_agent_case(twilio)
    ana.act(ref, "claim")
    other_browser(app, "dora@example.org").act(ref, "release")
    assert case_of(app, ref).status == "new"


def test_family_delete_erases_notes_and_timeline_but_audit_keeps_only_the_ref(app, twilio, ana):
    from bot.storage.advocates import Handoff

    ref = open_agent_case(twilio)
    ana.act(ref, "notes", body="Private: cousin Maria knows the facility")
    ana.act(ref, "claim")
    twilio.text("DELETE")
    assert "We erased all we had" in twilio.text("1")
    for table in (CaseNote, CaseEvent, Handoff, Conversation):
        assert rows(app, table) == []
    audit = rows(app, AuditEntry)
    assert any(e.ref == ref for e in audit)
    assert all("Maria" not in (e.ip or "") for e in audit)


def test_two_advocates_claiming_at_once_one_holds_it_and_nobody_sees_an_error(app, twilio, ana):
    import threading

    ref = open_agent_case(twilio)
    ben = other_browser(app, "ben@example.org")
    for inbox in (ana, ben):
        inbox.get(f"/inbox/cases/{ref}")
    start = threading.Barrier(2)
    statuses: list[int] = []

    def press(inbox: Inbox) -> None:
        start.wait()
        statuses.append(inbox.post(f"/inbox/cases/{ref}/claim").status_code)

    threads = [threading.Thread(target=press, args=(inbox,)) for inbox in (ana, ben)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    claims = [e for e in rows(app, CaseEvent) if e.kind == "claimed"]
    assert len(claims) == 1
    assert case_of(app, ref).status == "claimed"


def test_translators_preview_in_production_is_for_admins_only(app_settings, tmp_path):
    from bot import create_app
    from tests.utils.advocates import add_advocate

    app_settings["env"] = "production"
    app = create_app(app_settings)
    app.config["SESSION_COOKIE_SECURE"] = False  # the test client speaks plain HTTP
    add_advocate(app, "Ana Ruiz", ANA, "ana@example.org", ("en",))
    add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org", role="admin")
    assert app.test_client().get("/preview/es").status_code == 404
    advocate = other_browser(app, "ana@example.org")
    assert advocate.get("/preview/es").status_code == 404
    admin = other_browser(app, "dora@example.org")
    page = admin.page("/preview/es")
    assert "¿Español? Responda 1." in page
    app.extensions["hotline"].db.dispose()
