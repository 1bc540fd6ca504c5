"""The web's defences against what a stranger can send: forwarded headers, NUL bytes,
security headers and media links that are not Twilio's."""

from __future__ import annotations

import pytest

from bot.advocates import throttle
from bot.config import ConfigError, load_settings
from bot.storage.advocates import AuditEntry
from tests.utils.advocates import PASSWORD, Inbox, add_advocate, rows, use_clock

pytestmark = pytest.mark.usefixtures("fast_passwords")
PEER = "192.0.2.10"  # the address the TCP connection comes from


@pytest.fixture
def ana(app):  # type: ignore[no-untyped-def]
    use_clock(app)
    return add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))


@pytest.fixture
def one_proxy(app_settings) -> None:  # type: ignore[no-untyped-def]
    """HOTLINE_PROXIES=1: one proxy (a Heroku-style router) in front of the app."""
    app_settings["proxies"] = 1


def browser(app, peer: str = PEER) -> Inbox:  # type: ignore[no-untyped-def]
    """A browser connecting from `peer`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    return Inbox(client)


def login(inbox: Inbox, email: str, password: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    inbox.get("/inbox/login")
    return inbox.post("/inbox/login", {"email": email, "password": password}, headers=headers)


def audited_addresses(app, action: str) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [e.ip for e in rows(app, AuditEntry) if e.action == action]


# --------------------------------------------------------------------------- X-Forwarded-For
def test_a_new_forwarded_address_for_each_guess_still_hits_the_address_limit(app, ana):
    inbox = browser(app)
    statuses = [
        login(inbox, f"guess{n}@example.org", "wrong", forwarded=f"198.51.100.{n}").status_code
        for n in range(25)
    ]
    assert statuses[: throttle.PER_ADDRESS] == [401] * throttle.PER_ADDRESS
    assert set(statuses[throttle.PER_ADDRESS:]) == {429}


def test_a_blocked_address_cannot_log_in_by_adding_the_header(app, ana):
    inbox = browser(app)
    for n in range(throttle.PER_ADDRESS):
        assert login(inbox, f"guess{n}@example.org", "wrong").status_code == 401
    response = login(inbox, "ana@example.org", PASSWORD, forwarded="203.0.113.50")
    assert response.status_code == 429
    assert inbox.client.get("/inbox/").status_code == 302  # still logged out


def test_the_audit_log_stores_the_peer_not_the_header(app, ana):
    inbox = browser(app)
    assert login(inbox, "ana@example.org", PASSWORD, forwarded="203.0.113.99").status_code == 302
    assert audited_addresses(app, "login") == [PEER]


def test_behind_one_proxy_the_last_forwarded_hop_is_the_address(one_proxy, app, ana):
    inbox = browser(app, peer="10.0.0.2")  # the proxy
    # The client may write anything on the left; the proxy appends what it saw.
    forwarded = "1.2.3.4, 203.0.113.99"
    assert login(inbox, "ana@example.org", PASSWORD, forwarded=forwarded).status_code == 302
    assert audited_addresses(app, "login") == ["203.0.113.99"]


def test_an_address_that_is_not_an_ip_is_never_stored_as_sent(one_proxy, app, ana):
    inbox = browser(app, peer="10.0.0.2")
    junk = "<script>alert(1)</script>"
    assert login(inbox, "ana@example.org", PASSWORD, forwarded=junk).status_code == 302
    assert audited_addresses(app, "login") == ["invalid"]


@pytest.mark.parametrize("value", ["-1", "one", "11"])
def test_a_wrong_number_of_proxies_is_a_clear_error(value, tmp_path):
    with pytest.raises(ConfigError, match="HOTLINE_PROXIES"):
        load_settings({"HOTLINE_PROXIES": value}, {"instance_path": tmp_path})


def test_no_proxy_is_trusted_by_default(tmp_path):
    assert load_settings({}, {"instance_path": tmp_path}).proxies == 0
    assert load_settings({"HOTLINE_PROXIES": "1"}, {"instance_path": tmp_path}).proxies == 1


# --------------------------------------------------------------------------- NUL bytes
@pytest.fixture
def admin(app):  # type: ignore[no-untyped-def]
    """An admin logged in, with one open case."""
    use_clock(app)
    add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org", role="admin")
    inbox = browser(app)
    assert login(inbox, "dora@example.org", PASSWORD).status_code == 302
    return inbox


@pytest.mark.parametrize(
    "path",
    [
        "/inbox/cases/AB%00CD",
        "/inbox/cases/AB%00CD/export",
        "/inbox/?language=%00",
        "/inbox/?status=%00&language=es%00",
        "/inbox/audit?ref=%00",
        "/inbox/audit?ref=K7F-3QX%00",
        "/inbox/login?next=/inbox/%00",
        "/preview/e%00n",
    ],
)
def test_a_nul_byte_in_an_address_is_a_400_not_a_500(admin, path):
    response = admin.get(path)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("action", ["claim", "release", "reply", "close", "hand-back", "notes"])
def test_a_nul_byte_in_a_case_action_is_a_400(app, twilio, admin, action):
    from tests.utils.advocates import open_agent_case

    ref = open_agent_case(twilio)
    admin.get(f"/inbox/cases/{ref}")
    assert admin.post(f"/inbox/cases/AB%00CD/{action}", {"body": "hi"}).status_code == 400
    response = admin.post(f"/inbox/cases/{ref}/{action}", {"body": "hi\x00there"})
    assert response.status_code == 400
    assert admin.get(f"/inbox/cases/{ref}").status_code == 200  # the case is untouched


def test_a_nul_byte_in_the_login_form_is_a_400(app, ana):
    inbox = browser(app)
    assert login(inbox, "ana@example.org\x00", PASSWORD).status_code == 400
    assert login(inbox, "ana@example.org", PASSWORD).status_code == 302


def test_a_signed_message_with_a_nul_in_its_sid_or_sender_is_a_400(app, twilio):
    from tests.utils.twilio import inbound_form

    assert twilio.post("/twilio/messages", inbound_form("hi", sid="SM\x00x")).status_code == 400
    form = inbound_form("hi", sender="+1555555\x000101")
    assert twilio.post("/twilio/messages", form).status_code == 400
    status = {"MessageSid": "SM\x00x", "MessageStatus": "delivered"}
    assert twilio.post("/twilio/status", status).status_code == 400
    # Nothing was stored, and the hotline still answers the next message.
    assert "1" in twilio.text("hello")


def test_a_signed_message_with_a_nul_in_its_body_is_kept_without_the_nul(app, twilio):
    from bot.storage.models import Message
    from tests.utils.twilio import inbound_form

    response = twilio.post(
        "/twilio/messages", inbound_form("hel\x00lo", ProfileName="Ju\x00an")
    )
    assert response.status_code == 200
    inbound = [m for m in rows(app, Message) if m.direction == "in"]
    assert [m.body for m in inbound] == ["hello"]


# --------------------------------------------------------------------------- media links
TWILIO_FILE = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
NOT_TWILIO = (
    "javascript:fetch('/inbox/').then(r=>r.text())",
    "https://evil.example/ME2.jpg",
    "http://api.twilio.com/ME3",  # not https
    "https://api.twilio.com@evil.example/ME4",
    "data:text/html,<script>alert(1)</script>",
)


def test_a_file_link_that_is_not_twilios_is_shown_as_text(app, twilio, admin):
    import re

    from tests.utils.advocates import open_agent_case

    ref = open_agent_case(twilio)
    twilio.text("", media=(TWILIO_FILE, *NOT_TWILIO))
    page = admin.page(f"/inbox/cases/{ref}")
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert TWILIO_FILE in hrefs  # in the summary and in the transcript
    unsafe = ("javascript:", "data:", "http://", "https://evil", "https://api.twilio.com@")
    assert [href for href in hrefs if href.startswith(unsafe)] == []
    assert "evil.example/ME2.jpg" in page  # still readable, as text
    assert page.count("not a Twilio file address") == 2 * len(NOT_TWILIO)

    export = admin.get(f"/inbox/cases/{ref}/export").get_data(as_text=True)
    assert f"file: {TWILIO_FILE}\n" in export
    assert "file: https://evil.example/ME2.jpg (not a Twilio file address: do not open)" in export
    assert export.count("not a Twilio file address") == 2 * len(NOT_TWILIO)  # summary + transcript


def test_media_hosts_are_a_setting(media_hosts, app, twilio, admin):
    from tests.utils.advocates import open_agent_case

    ref = open_agent_case(twilio)
    twilio.text("", media=("https://media.example.org/ME5", TWILIO_FILE))
    page = admin.page(f"/inbox/cases/{ref}")
    assert 'href="https://media.example.org/ME5"' in page
    assert f'href="{TWILIO_FILE}"' not in page


@pytest.fixture
def media_hosts(app_settings) -> None:  # type: ignore[no-untyped-def]
    app_settings["media_hosts"] = "Media.Example.org"


@pytest.mark.parametrize("value", ["https://api.twilio.com", "api.twilio.com/x", " , "])
def test_a_wrong_media_host_is_a_clear_error(value, tmp_path):
    with pytest.raises(ConfigError, match="HOTLINE_MEDIA_HOSTS"):
        load_settings({"HOTLINE_MEDIA_HOSTS": value}, {"instance_path": tmp_path})


# --------------------------------------------------------------------------- headers
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "style-src 'self'" in policy


def test_every_page_with_personal_data_has_the_headers_and_is_never_cached(app, twilio, admin):
    from tests.utils.advocates import open_agent_case

    ref = open_agent_case(twilio)
    admin.act(ref, "notes", body="called the family")
    personal = [
        admin.get("/inbox/"),
        admin.get(f"/inbox/cases/{ref}"),
        admin.get(f"/inbox/cases/{ref}/export"),
        admin.get("/inbox/audit"),
        admin.get("/inbox/advocates"),
        admin.get("/preview/"),
        admin.get("/preview/es"),
        twilio.send("1"),  # a TwiML reply is written to the family
    ]
    for response in personal:
        assert response.status_code == 200, response.request.path
        assert_security_headers(response)
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert "Strict-Transport-Security" not in response.headers  # development
    for path in ("/inbox/login", "/inbox/cases/NOPE-00", "/healthz"):
        assert_security_headers(admin.client.get(path))


def test_the_stylesheets_are_files_and_no_page_has_inline_style_or_script(app, admin):
    from pathlib import Path

    import bot

    page = admin.page("/inbox/")
    assert '<link rel="stylesheet" href="/static/inbox.css">' in page
    css = admin.client.get("/static/inbox.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "no-store" not in css.headers.get("Cache-Control", "")
    assert admin.client.get("/static/preview.css").status_code == 200
    root = Path(bot.__file__).parent
    for template in [*root.glob("**/templates/**/*.html")]:
        text = template.read_text()
        for inline in ("<style", "style=", "<script", "javascript:", " onclick=", " onload="):
            assert inline not in text, f"{template.name}: {inline}"


def test_production_adds_hsts(app_settings):
    from bot import create_app

    app_settings["env"] = "production"
    app = create_app(app_settings)
    response = app.test_client().get("/inbox/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_security_headers(response)
    app.extensions["hotline"].db.dispose()


def test_behind_an_https_proxy_a_form_posted_from_the_inbox_is_accepted(one_proxy, app, ana):
    """Flask-WTF checks the Referer over HTTPS: the Referrer-Policy must let the inbox send it."""
    inbox = browser(app, peer="10.0.0.2")
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hotline.example.org",
             "X-Forwarded-For": "203.0.113.99"}
    page = inbox.get("/inbox/login", headers=https)
    assert page.headers["Referrer-Policy"] == "same-origin"
    response = inbox.post(
        "/inbox/login", {"email": "ana@example.org", "password": PASSWORD},
        headers={**https, "Referer": "https://hotline.example.org/inbox/login"},
    )
    assert response.status_code == 302
