"""Inbox sessions end on the server: a cookie copied before logout opens nothing afterwards."""

from __future__ import annotations

import pytest

from bot.storage.advocates import AuditEntry
from tests.utils.advocates import Inbox, add_team, cli, rows

pytestmark = pytest.mark.usefixtures("fast_passwords")
COOKIE = "session"


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    return add_team(app)


def logged_in(app, email: str = "ana@example.org") -> Inbox:  # type: ignore[no-untyped-def]
    inbox = Inbox(app.test_client())
    assert inbox.login(email).status_code == 302
    assert inbox.client.get("/inbox/").status_code == 200
    return inbox


def saved_cookie(inbox: Inbox) -> str:
    cookie = inbox.client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app, value: str) -> int:  # type: ignore[no-untyped-def]
    """What a thief holding a copy of the cookie gets at the inbox."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    response = thief.get("/inbox/")
    if response.status_code == 302:
        assert "/inbox/login" in response.headers["Location"]
    return response.status_code


def test_a_cookie_saved_before_logout_no_longer_opens_the_inbox(app, team):
    ana = logged_in(app)
    stolen = saved_cookie(ana)
    assert replay(app, stolen) == 200  # the copy works while Ana is logged in
    ana.post("/inbox/logout")
    assert ana.client.get("/inbox/").status_code == 302
    assert replay(app, stolen) == 302
    # Ana logs in again; the old copy stays dead.
    assert logged_in(app) is not None
    assert replay(app, stolen) == 302


def test_password_change_role_change_and_deactivation_end_sessions(app, team):
    ana = logged_in(app)
    stolen = saved_cookie(ana)
    new = "a brand new passphrase"
    changed = cli(app, "advocate", "password", "1", "--password-stdin", input=new + "\n")
    assert changed.exit_code == 0
    assert replay(app, stolen) == 302

    ana = Inbox(app.test_client())
    assert ana.login("ana@example.org", new).status_code == 302
    stolen = saved_cookie(ana)
    assert replay(app, stolen) == 200
    result = cli(app, "advocate", "role", "ana@example.org", "admin")
    assert result.exit_code == 0 and result.output.strip() == "advocate 1 is now admin"
    assert replay(app, stolen) == 302

    ana = Inbox(app.test_client())
    assert ana.login("ana@example.org", new).status_code == 302
    stolen = saved_cookie(ana)
    assert cli(app, "advocate", "deactivate", "1").exit_code == 0
    assert replay(app, stolen) == 302


def test_an_admin_ends_every_session_of_an_advocate_from_the_cli(app, team):
    phone, laptop = logged_in(app), logged_in(app)
    result = cli(app, "advocate", "sessions-end", "ana@example.org")
    assert result.exit_code == 0
    assert result.output.strip() == "advocate 1: every inbox session ended"
    assert phone.client.get("/inbox/").status_code == 302
    assert laptop.client.get("/inbox/").status_code == 302
    assert "sessions_ended" in [e.action for e in rows(app, AuditEntry)]
    # Nothing else changed: the same password still works.
    assert logged_in(app) is not None
    assert cli(app, "advocate", "sessions-end", "nobody@example.org").exit_code == 2


def test_an_admin_ends_every_session_of_an_advocate_from_the_inbox(app, team):
    ana = logged_in(app)
    stolen = saved_cookie(ana)
    dora = logged_in(app, "dora@example.org")
    page = dora.page("/inbox/advocates")
    assert "End sessions" in page
    done = dora.post(f"/inbox/advocates/{team['ana']}/end-sessions", follow_redirects=True)
    assert done.status_code == 200
    assert "Every inbox session of Ana Ruiz has ended." in done.get_data(as_text=True)
    assert replay(app, stolen) == 302
    assert ana.client.get("/inbox/").status_code == 302
    assert dora.client.get("/inbox/").status_code == 200  # the admin stays logged in
    # An advocate who is not an admin cannot end anyone's sessions.
    ana = logged_in(app)
    ana.get("/inbox/")
    assert ana.post(f"/inbox/advocates/{team['dora']}/end-sessions").status_code == 403
    assert dora.client.get("/inbox/").status_code == 200
    assert dora.post("/inbox/advocates/999/end-sessions").status_code == 404


def test_a_forged_or_old_style_session_id_is_refused(app, team):
    ana = logged_in(app)
    with ana.client.session_transaction() as cookie:
        cookie["_user_id"] = "1:x:y"
    assert ana.client.get("/inbox/").status_code == 302


def test_the_webhook_opens_no_session_even_for_a_logged_in_browser(app, team):
    """Twilio keeps no cookie: a webhook request with an advocate's cookies (a test from the
    advocate's own browser, a proxy passing cookies on) is answered and sets no cookie."""
    from tests.conftest import PUBLIC_BASE_URL, TEST_TOKEN
    from tests.utils.twilio import TwilioSender, replies_text

    ana = logged_in(app)
    ana.client.set_cookie("remember_token", "1|forged")
    twilio = TwilioSender(ana.client, TEST_TOKEN, PUBLIC_BASE_URL)
    response = twilio.send("hola")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert replies_text(response.data)  # the family got the language menu
    assert ana.client.get("/inbox/").status_code == 200  # and Ana's session is untouched
