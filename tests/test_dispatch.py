"""Optional email with the full summary (SMTP_URL) and a signed webhook (HOTLINE_WEBHOOK_URL)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from bot.advocates.jobs import run_due
from bot.storage.advocates import Dispatch
from tests.utils.advocates import (
    PERSONAL,
    Inbox,
    add_advocate,
    open_agent_case,
    open_intake_case,
    rows,
    use_clock,
)
from tests.utils.receivers import FakeSmtp, WebhookReceiver

pytestmark = pytest.mark.usefixtures("fast_passwords")
SECRET = "webhook-secret-0123456789abcdef"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    server = FakeSmtp()
    yield server
    server.stop()


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    server = WebhookReceiver()
    yield server
    server.stop()


@pytest.fixture
def app_settings(app_settings, smtp, receiver):  # type: ignore[no-untyped-def]
    app_settings.update(smtp_url=smtp.url, webhook_url=receiver.url, webhook_secret=SECRET)
    return app_settings


def test_notified_advocate_gets_the_full_summary_by_email(app, twilio, smtp):
    add_advocate(app, "Ana", "+15555550201", "ana@example.org")
    add_advocate(app, "Ben", "+15555550202", None)  # no email: SMS only
    clock = use_clock(app)
    ref = open_intake_case(twilio)
    assert smtp.messages == []  # nothing is sent inside the webhook's transaction
    run_due(app.extensions["advocates"], clock.now, purge_daily=False)
    [email] = smtp.messages
    assert smtp.envelopes == [("hotline@example.org", ["ana@example.org"])]
    assert email["Subject"] == f"[Hotline] New case {ref} (English, URGENT)"
    body = email.get_content()
    assert "Juan Perez Lopez" in body and "A-123-456-789" in body
    assert "they said he will be moved tomorrow" in body
    assert f"https://hotline.example.org/inbox/cases/{ref}" in body
    # Why it is urgent first, then the facts, each labelled.
    assert body.index("Why it is urgent:") < body.index("Facts:")
    for fact in (
        "Court case now: Yes: December 8 in Houston",
        "Past deportation order or missed court date: No",
        "Papers from ICE: Got papers, did not sign",
        "Has a lawyer: No",
        "Cases or status: Asylum case, Family petition",
        "Afraid to go back: Yes",
        "Time in the US: More than 10 years",
        "Children under 18: Yes",
        "Someone cares for the children: Yes",
        "Needs daily medicine: Yes: insulin for diabetes",
        "Their language: Mam",
        "Past arrest or criminal case: Yes",
    ):
        assert f"  {fact}" in body.splitlines(), fact
    checklist = ["  [x] US citizen or resident family", "  [x] Works", "  [ ] In school"]
    assert all(line in body.splitlines() for line in checklist)
    assert [d.status for d in rows(app, Dispatch) if d.kind == "email"] == ["sent"]


def test_the_email_summary_is_labelled_in_the_advocates_language(app, twilio, smtp):
    add_advocate(app, "Lupe", "+15555550209", "lupe@example.org", ("es", "en"))
    clock = use_clock(app)
    open_intake_case(twilio)  # an English-speaking family; Lupe reads Spanish first
    run_due(app.extensions["advocates"], clock.now, purge_daily=False)
    [email] = smtp.messages
    body = email.get_content()
    for fact in (
        "Lo urgente: they said he will be moved tomorrow",
        "Nombre: Juan Perez Lopez",
        "Caso en corte ahora: Sí: December 8 in Houston",
        "Orden de deportación o faltó a corte: No",
        "Papeles de ICE: Recibió papeles, no firmó",
        "Tiene abogado: No",
        "Casos o estatus: Caso de asilo, Petición familiar",
        "Miedo de regresar: Sí",
        "Tiempo en EE. UU.: Más de 10 años",
        "Hijos menores de 18: Sí",
        "Alguien cuida a los niños: Sí",
        "Medicina diaria: Sí: insulin for diabetes",
        "Su idioma: Mam",
        "Arresto o caso criminal antes: Sí",
    ):
        assert f"  {fact}" in body.splitlines(), fact
    lines = body.splitlines()
    assert lines[lines.index("Lazos y necesidades:") + 1] == "  [x] Familia ciudadana o residente"
    assert "Court case now" not in body and "Time in the US" not in body


def test_webhook_is_signed_and_carries_no_personal_data(app, twilio, receiver, client):
    add_advocate(app, "Ana", "+15555550201", "ana@example.org")
    clock = use_clock(app)
    ref = open_intake_case(twilio)
    run_due(app.extensions["advocates"], clock.now, purge_daily=False)
    [post] = receiver.posts
    headers, body = post["headers"], post["body"]
    expected = hmac.new(
        SECRET.encode(), headers["X-Hotline-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Hotline-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert event["event"] == "case.opened" and event["ref"] == ref and event["urgent"] is True
    assert event["link"] == f"https://hotline.example.org/inbox/cases/{ref}"
    assert event["text"].startswith(f"New case {ref} (English, URGENT)")
    for secret in PERSONAL:
        assert secret not in body.decode()


def test_claim_and_close_are_posted_to_the_webhook(app, twilio, receiver, client):
    add_advocate(app, "Ana", "+15555550201", "ana@example.org")
    clock = use_clock(app)
    ref = open_agent_case(twilio)
    inbox = Inbox(client)
    inbox.login()
    inbox.act(ref, "claim")
    inbox.act(ref, "close")
    run_due(app.extensions["advocates"], clock.now, purge_daily=False)
    events = [json.loads(p["body"])["event"] for p in receiver.posts]
    assert events == ["case.opened", "case.claimed", "case.closed"]


def test_failed_webhook_is_retried_later(app, twilio, receiver):
    add_advocate(app, "Ana", "+15555550201", None)
    clock = use_clock(app)
    open_agent_case(twilio)
    receiver.statuses = [500]
    desk = app.extensions["advocates"]
    assert run_due(desk, clock.now, purge_daily=False)["dispatched"] == 0
    [row] = rows(app, Dispatch)
    assert (row.status, row.attempts, row.error) == ("pending", 1, "HTTPError")
    assert run_due(desk, clock.advance(seconds=30), purge_daily=False)["dispatched"] == 0
    assert run_due(desk, clock.advance(minutes=1), purge_daily=False)["dispatched"] == 1
    assert rows(app, Dispatch)[0].status == "sent" and len(receiver.posts) == 2


def test_webhook_url_without_a_secret_is_refused_at_start():
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="HOTLINE_WEBHOOK_SECRET"):
        load_settings(environ={"HOTLINE_WEBHOOK_URL": "https://hooks.example.org/x"})
