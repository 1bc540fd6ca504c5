"""The Twilio webhook: signatures, TwiML replies, storage, retries and bad input."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.storage.models import Contact, Conversation, Message
from tests.utils.files import sqlite_bytes
from tests.utils.twilio import inbound_form, replies, replies_text


def rows(app, model):  # type: ignore[no-untyped-def]
    with Session(app.extensions["hotline"].db) as session:
        return session.exec(select(model)).all()


def test_first_text_gets_welcome_and_language_menu(twilio, app):
    response = twilio.send("Hello, my brother was arrested")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    text = replies_text(response.data)
    assert "This is the Family Hotline" in text
    assert "not the government" in text
    assert "STOP" in text and "DELETE" in text
    assert "1 English" in text
    messages = rows(app, Message)
    assert [m.direction for m in messages] == ["in", "out"]
    assert messages[0].body == "Hello, my brother was arrested"


def test_whatsapp_sender_is_answered_and_stored_as_whatsapp(twilio, app):
    text = twilio.text("hello", sender="whatsapp:+15555550177")
    assert "This is the Family Hotline" in text
    conversation = rows(app, Conversation)[0]
    assert conversation.channel == "whatsapp"
    assert {m.channel for m in rows(app, Message)} == {"whatsapp"}


def test_missing_signature_is_refused_and_nothing_stored(twilio, app):
    response = twilio.post("/twilio/messages", inbound_form("hi"), signature="")
    assert response.status_code == 403
    assert rows(app, Message) == []
    assert rows(app, Contact) == []


def test_bad_signature_is_refused(twilio, app):
    form = inbound_form("hi")
    good = twilio.sign("/twilio/messages", form)
    tampered = dict(form, Body="hi there")
    assert twilio.post("/twilio/messages", tampered, signature=good).status_code == 403
    assert rows(app, Message) == []


def test_signature_for_another_url_is_refused(client, app):
    from twilio.request_validator import RequestValidator

    from tests.conftest import TEST_TOKEN

    form = inbound_form("hi")
    signature = RequestValidator(TEST_TOKEN).compute_signature(
        "https://evil.example.com/twilio/messages", form
    )
    response = client.post("/twilio/messages", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_signature_checked_against_request_url_when_no_public_base_url(
    app_settings, tmp_path
):
    from twilio.request_validator import RequestValidator

    from bot import create_app
    from bot.storage.migrate import upgrade
    from tests.conftest import TEST_TOKEN

    app_settings.update(public_base_url="", proxies=1)
    app = create_app(app_settings)
    upgrade(app.extensions["hotline"].db)
    client = app.test_client()
    form = inbound_form("hi")
    # Behind a proxy: ProxyFix rebuilds the public URL from X-Forwarded-* headers.
    url = "https://public.example.net/twilio/messages"
    signature = RequestValidator(TEST_TOKEN).compute_signature(url, form)
    headers = {
        "X-Twilio-Signature": signature,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "public.example.net",
    }
    assert client.post("/twilio/messages", data=form, headers=headers).status_code == 200
    app.extensions["hotline"].db.dispose()


def test_duplicate_message_sid_is_answered_once(twilio, app):
    form = inbound_form("hello", sid="SM" + "d" * 32)
    first = twilio.post("/twilio/messages", form)
    second = twilio.post("/twilio/messages", form)
    assert first.status_code == second.status_code == 200
    assert replies(first.data) == replies(second.data)
    inbound = [m for m in rows(app, Message) if m.direction == "in"]
    assert len(inbound) == 1
    # The retry did not step the conversation: the next real answer is still the language.
    assert rows(app, Conversation)[0].state == "language"


def test_conversation_moves_through_menu(twilio, app):
    twilio.text("hello")
    menu = twilio.text("1")
    assert "1 What is prosecutorial discretion?" in menu
    explanation = twilio.text("1")
    assert "prosecutorial discretion" in explanation
    assert rows(app, Conversation)[0].state == "pd_1"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "x" * 1600,
        "🙏🙏🙏 ayuda por favor 😢",
        "hello\x00\x07\x1b[31m world\u200b",
        "مرحبا، زوجي محتجز",
        "我的儿子被抓了",
        "\ufffd\ufffd mojibake Ã©",
        "\u202eevil\u202c",
    ],
)
def test_odd_bodies_get_a_sensible_reply(twilio, app, body):
    response = twilio.send(body)
    assert response.status_code == 200
    text = replies_text(response.data)
    # The language menu, with the guessed language (if any) first.
    assert "English" in text and "Español" in text
    assert len([m for m in rows(app, Message) if m.direction == "in"]) == 1


def test_invalid_utf8_bytes_do_not_crash(client, twilio, app):
    form = inbound_form("placeholder")
    # Werkzeug keeps undecodable escapes as written; that is the text the signature covers.
    form["Body"] = "%FF%FE"
    signature = twilio.sign("/twilio/messages", form)
    raw = "&".join(
        f"{k}={'%FF%FE' if k == 'Body' else __import__('urllib.parse').parse.quote(v)}"
        for k, v in form.items()
    )
    response = client.post(
        "/twilio/messages",
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200
    assert "1 English" in replies_text(response.data)


def test_media_only_message_is_stored_and_acknowledged(twilio, app):
    twilio.text("hello")
    twilio.text("1")
    text = twilio.text("", media=("https://api.twilio.com/media/ME1",))
    assert "we got your file" in text
    assert "How can we help?" in text  # the question is asked again, nothing lost
    inbound = [m for m in rows(app, Message) if m.direction == "in"]
    assert inbound[-1].media == ["https://api.twilio.com/media/ME1"]


def test_unknown_to_number_still_gets_an_answer(twilio):
    assert "This is the Family Hotline" in twilio.text("hi", to="+15559999999")


@pytest.mark.parametrize("missing", ["From", "MessageSid"])
def test_request_without_sender_or_sid_is_a_clear_400(twilio, app, missing):
    form = inbound_form("hi")
    form.pop(missing)
    form.pop("SmsMessageSid", None)
    response = twilio.post("/twilio/messages", form)
    assert response.status_code == 400
    assert rows(app, Message) == []


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}


def test_database_holds_no_plaintext_body_or_phone(twilio, app, app_settings):
    from sqlalchemy import text

    secret_body = "Mi esposo Juan Perez fue arrestado"
    sender = "+15555550142"
    twilio.text(secret_body, sender=sender)
    db = app.extensions["hotline"].db
    dump = []
    with db.connect() as connection:
        for table in ("contact", "conversation", "message", "cases"):
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump.append(" ".join(str(v) for v in row))
    joined = "\n".join(dump)
    assert "Juan" not in joined and "esposo" not in joined
    assert "5555550142" not in joined
    raw = sqlite_bytes(str(app_settings["database_url"]))
    if raw is not None:
        assert b"Juan" not in raw and b"5555550142" not in raw


def test_no_body_or_phone_in_logs(twilio, caplog):
    caplog.set_level("DEBUG")
    twilio.text("Mi hijo Pedro", sender="+15555550143")
    assert twilio.send("bad", sender="+15555550143", MessageSid="").status_code == 400
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Pedro" not in logged
    assert "5555550143" not in logged


def test_message_after_a_database_restart_is_still_answered(twilio, app):
    from sqlalchemy import create_engine, text

    db = app.extensions["hotline"].db
    if db.dialect.name != "postgresql":
        pytest.skip("a server restart is a PostgreSQL matter")
    twilio.text("hello")
    # What a restart does to pooled connections: the server ends them.
    admin = create_engine(str(db.url.set(database="postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
            {"db": db.url.database},
        )
    admin.dispose()
    assert "How can we help?" in twilio.text("1")


def test_a_message_sid_reused_by_another_sender_gets_none_of_the_first_senders_replies(twilio):
    sid = "SM" + "5" * 32
    first = twilio.text("hola", sid=sid, sender="+15555550111")
    assert "Español" in first
    other = twilio.send("hola", sid=sid, sender="+15555550999")
    assert other.status_code == 200
    assert "Español" not in other.data.decode() and "Family Hotline" not in other.data.decode()
    # Twilio's own retry, from the same sender, still gets the stored reply.
    assert twilio.text("hola", sid=sid, sender="+15555550111") == first


@pytest.mark.parametrize(
    "texts",
    [
        [],
        [""],
        ["Hola"],
        ['a & b <c> "d" \'e\' ]]> é 😀 中文 العربية', "2 > 1 & 1 < 2", "line\nbreak\ttab"],
    ],
)
def test_replies_are_the_twiml_twilios_own_library_writes(texts):
    """The webhook writes TwiML itself: byte for byte what MessagingResponse makes."""
    from twilio.twiml.messaging_response import MessagingResponse

    from bot.webhook import twiml

    expected = MessagingResponse()
    for text in texts:
        expected.message(text)
    answer = twiml(texts)
    assert answer.mimetype == "text/xml"
    assert answer.get_data(as_text=True) == str(expected)
    assert replies(answer.get_data()) == texts
