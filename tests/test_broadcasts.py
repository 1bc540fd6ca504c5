"""Broadcasts: an admin's news reaches the chosen subscribers at Twilio, in their language."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot import create_app
from bot.advocates import broadcasts
from bot.storage import crypto
from bot.storage.advocates import AuditEntry
from bot.storage.alerts import AlertSubscription, Broadcast, BroadcastDelivery
from bot.storage.db import transaction
from bot.storage.migrate import upgrade
from bot.storage.models import Contact, Conversation
from tests import test_outbox
from tests.fake_twilio import FakeTwilio
from tests.utils.advocates import Clock, Inbox, add_team, rows, use_clock
from tests.utils.outbox import db, make_worker

pytestmark = pytest.mark.usefixtures("fast_passwords")
twilio_api = test_outbox.fake  # the fake Twilio server the app sends to, throttle off
HOTLINE = "+15555550100"
TEMPLATE = "HX" + "5" * 32
ENGLISH = "Know your rights: a workshop at the library on Saturday at 10."
SPANISH = "Conozca sus derechos: taller en la biblioteca el sábado a las 10."
EN_1, EN_2, ES_1, ES_2, FR_1 = (f"+1555555030{n}" for n in range(1, 6))


@pytest.fixture
def app(app_settings, twilio_api):  # type: ignore[no-untyped-def]
    app = create_app(app_settings)
    app.config["TESTING"] = True
    upgrade(db(app))
    add_team(app)
    yield app
    db(app).dispose()


@pytest.fixture
def admin(app) -> Inbox:  # type: ignore[no-untyped-def]
    inbox = Inbox(app.test_client())
    inbox.login("dora@example.org")
    return inbox


def subscribe(  # type: ignore[no-untyped-def]
    app, twilio, number: str, language: str = "1", zip_code: str | None = None
) -> None:
    """A family picks a language, (gives a ZIP code) and texts ALERTS in its language."""
    twilio.text("hello", sender=number)
    twilio.text(language, sender=number)
    if zip_code:
        hashes = crypto.current().lookup_hashes(number.removeprefix("whatsapp:"))
        with transaction(db(app)) as session:
            conversation = session.exec(
                select(Conversation).join(Contact).where(Contact.phone_hash.in_(hashes))
            ).one()
            conversation.answers = {**conversation.answers, "zip": zip_code}
            session.add(conversation)
    word = "ALERTAS" if language == "español" else "ALERTS"
    assert "Family Hotline" in twilio.text(word, sender=number)  # "You will get news from…"


def preview(admin: Inbox, texts: dict[str, str], regions: str = "") -> str:
    admin.get("/inbox/broadcasts/new")
    form: dict = {"language": list(texts), "regions": regions}
    form.update({f"text_{code}": text for code, text in texts.items()})
    response = admin.post("/inbox/broadcasts/preview", form)
    return response.get_data(as_text=True)


def send(admin: Inbox, texts: dict[str, str], regions: str = "") -> str:
    """Preview, then press "Send to N people" with the audience the page showed."""
    page = preview(admin, texts, regions)
    audience = re.search(r"Send to (\d+) (?:person|people)", page)
    assert audience, page
    form: dict = {"language": list(texts), "regions": regions, "audience": audience.group(1)}
    form.update({f"text_{code}": text for code, text in texts.items()})
    response = admin.post("/inbox/broadcasts/", form, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def received(twilio_api: FakeTwilio) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in twilio_api.messages:
        found.setdefault(message["to"], []).append(message["body"])
    return found


def deliver(app) -> None:  # type: ignore[no-untyped-def]
    make_worker(app).run(until_empty=True)


def figure(page: str, label: str) -> int:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(\d+)</dd>", page)
    assert match, label
    return int(match.group(1))


# --------------------------------------------------------------------------- who gets it
def test_only_the_chosen_languages_and_regions_get_it_each_in_its_language(
    app, twilio, admin, twilio_api
):
    subscribe(app, twilio, EN_1, "1", "77024")
    subscribe(app, twilio, ES_1, "español", "77001")
    subscribe(app, twilio, ES_2, "español", "10027")  # another region
    subscribe(app, twilio, EN_2, "1")  # no ZIP code: only when no region is chosen
    subscribe(app, twilio, FR_1, "français", "77002")  # a language not chosen
    twilio_api.reset()

    page = preview(admin, {"en": ENGLISH, "es": SPANISH}, regions="770")
    assert "Audience: 2 people." in page
    page = send(admin, {"en": ENGLISH, "es": SPANISH}, regions="770")
    assert figure(page, "Queued") == 2
    deliver(app)

    assert received(twilio_api) == {EN_1: [ENGLISH], ES_1: [SPANISH]}
    page = admin.page("/inbox/broadcasts/1")
    assert figure(page, "Sent") == 2 and figure(page, "Waiting") == 0


def test_without_regions_everyone_in_the_languages_gets_it(app, twilio, admin, twilio_api):
    subscribe(app, twilio, EN_1, "1", "77024")
    subscribe(app, twilio, EN_2, "1")
    twilio_api.reset()
    send(admin, {"en": ENGLISH})
    deliver(app)
    assert received(twilio_api) == {EN_1: [ENGLISH], EN_2: [ENGLISH]}


def test_stop_is_honoured_and_counted(app, twilio, admin, twilio_api):
    subscribe(app, twilio, EN_1)
    subscribe(app, twilio, EN_2)
    twilio.text("STOP", sender=EN_1)
    twilio_api.reset()
    assert "1 subscribers texted STOP and will be skipped" in preview(admin, {"en": ENGLISH})
    page = send(admin, {"en": ENGLISH})
    deliver(app)
    assert received(twilio_api) == {EN_2: [ENGLISH]}
    assert figure(page, "Skipped: texted STOP") == 1


def test_alerts_off_means_no_news(app, twilio, admin, twilio_api):
    subscribe(app, twilio, EN_1)
    subscribe(app, twilio, EN_2)
    twilio.text("ALERTS OFF", sender=EN_2)
    twilio_api.reset()
    send(admin, {"en": ENGLISH})
    deliver(app)
    assert received(twilio_api) == {EN_1: [ENGLISH]}


def test_whatsapp_outside_the_window_is_skipped_and_counted_without_a_template(
    app, twilio, admin, twilio_api
):
    subscribe(app, twilio, "whatsapp:" + EN_1)
    subscribe(app, twilio, EN_2)
    use_clock(app, Clock(datetime.now(UTC) + timedelta(hours=25)))  # a day without a word
    twilio_api.reset()
    page = send(admin, {"en": ENGLISH})
    deliver(app)
    assert received(twilio_api) == {EN_2: [ENGLISH]}
    assert figure(page, "Skipped: WhatsApp, no template") == 1


def test_whatsapp_inside_the_window_gets_the_text(app, twilio, admin, twilio_api):
    subscribe(app, twilio, "whatsapp:" + EN_1)
    use_clock(app, Clock(datetime.now(UTC) + timedelta(hours=1)))
    twilio_api.reset()
    send(admin, {"en": ENGLISH})
    deliver(app)
    assert received(twilio_api) == {"whatsapp:" + EN_1: [ENGLISH]}


@pytest.fixture
def with_template(app_settings):  # type: ignore[no-untyped-def]
    app_settings["twilio_whatsapp_template_sid"] = TEMPLATE


def test_whatsapp_outside_the_window_gets_the_approved_template(
    with_template, app, twilio, admin, twilio_api
):
    subscribe(app, twilio, "whatsapp:" + EN_1)
    use_clock(app, Clock(datetime.now(UTC) + timedelta(hours=25)))
    twilio_api.reset()
    page = send(admin, {"en": ENGLISH})
    assert "1 as the WhatsApp template" in page
    deliver(app)
    [sent] = twilio_api.messages
    assert sent["to"] == "whatsapp:" + EN_1 and sent["content_sid"] == TEMPLATE


# --------------------------------------------------------------------------- stopping
def test_stopping_mid_way_cancels_what_was_not_sent(app, twilio, admin, twilio_api):
    for number in (EN_1, EN_2, ES_1):
        subscribe(app, twilio, number)
    twilio_api.reset()
    send(admin, {"en": ENGLISH})
    make_worker(app, batch_size=1).run_once()  # one message goes, then the admin stops it
    assert len(twilio_api.messages) == 1

    admin.get("/inbox/broadcasts/1")
    response = admin.post("/inbox/broadcasts/1/stop", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 messages not yet sent were cancelled" in page
    assert figure(page, "Sent") == 1 and figure(page, "Cancelled") == 2
    deliver(app)
    assert len(twilio_api.messages) == 1
    assert rows(app, Broadcast)[0].status == "stopped"
    assert [e.action for e in rows(app, AuditEntry)][-1] == "broadcast_stopped"


def test_a_large_audience_is_queued_a_batch_at_a_time(app, admin, twilio_api):
    _many_subscribers(app, broadcasts.BATCH * 2 + 7)
    send(admin, {"en": ENGLISH})
    [broadcast] = rows(app, Broadcast)
    assert (broadcast.queued, broadcast.status) == (broadcasts.BATCH, "sending")
    now = datetime.now(UTC)
    assert broadcasts.advance(db(app), now) == 0  # the first batch has not gone yet
    deliver(app)
    assert broadcasts.advance(db(app), now) == broadcasts.BATCH
    deliver(app)
    assert broadcasts.advance(db(app), now) == 7
    deliver(app)
    [broadcast] = rows(app, Broadcast)
    assert (broadcast.queued, broadcast.status) == (broadcasts.BATCH * 2 + 7, "queued")
    assert len(twilio_api.messages) == broadcasts.BATCH * 2 + 7
    assert len({m["to"] for m in twilio_api.messages}) == broadcasts.BATCH * 2 + 7


def _many_subscribers(app, count: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(db(app)) as session:
        for n in range(count):
            phone = f"+1555600{n:04d}"
            contact = Contact(phone_hash=crypto.current().lookup_hash(phone), phone=phone)
            session.add(contact)
            session.flush()
            conversation = Conversation(contact_id=contact.id, locale="en", state="menu")
            session.add(conversation)
            session.flush()
            session.add(AlertSubscription(conversation_id=conversation.id, language="en"))


# --------------------------------------------------------------------------- the pages
def test_non_admins_are_refused(app, twilio, twilio_api):
    subscribe(app, twilio, EN_1)
    ana = Inbox(app.test_client())
    ana.login("ana@example.org")
    assert ana.get("/inbox/broadcasts/").status_code == 403
    assert ana.get("/inbox/broadcasts/new").status_code == 403
    form = {"language": ["en"], "text_en": ENGLISH, "regions": "", "audience": "1"}
    response = ana.post("/inbox/broadcasts/", form)
    assert response.status_code == 403
    assert "Only admins send broadcasts" in response.get_data(as_text=True)
    assert rows(app, Broadcast) == []
    stranger = app.test_client().get("/inbox/broadcasts/new")
    assert stranger.status_code == 302 and "/inbox/login" in stranger.headers["Location"]
    assert twilio_api.messages == [] or all(m["to"] != EN_1 for m in twilio_api.messages)


def test_a_broadcast_is_in_the_audit_log_and_recorded(app, twilio, admin, twilio_api):
    subscribe(app, twilio, EN_1)
    send(admin, {"en": ENGLISH})
    [entry] = [e for e in rows(app, AuditEntry) if e.action == "broadcast_sent"]
    assert entry.ref == "broadcast-1" and entry.advocate_id == 3  # Dora
    [broadcast] = rows(app, Broadcast)
    assert broadcast.advocate_id == 3 and broadcast.texts == {"en": ENGLISH}
    assert broadcast.audience == 1 and broadcast.languages == ["en"]
    page = admin.page("/inbox/audit")
    assert "broadcast_sent" in page
    assert '<a href="/inbox/broadcasts/1">broadcast-1</a>' in page


@pytest.fixture
def priced(app_settings):  # type: ignore[no-untyped-def]
    app_settings["sms_segment_price"] = 0.01


def test_segments_and_cost_are_shown_per_language_and_in_total(priced, app, twilio, admin):
    subscribe(app, twilio, EN_1)
    subscribe(app, twilio, EN_2)
    subscribe(app, twilio, ES_1, "español")
    english = "Know your rights. " * 9  # 162 plain characters: 2 segments
    spanish = "Información: taller el sábado."  # an accent: UCS-2, 1 segment
    page = preview(admin, {"en": english.strip(), "es": spanish})
    cells = re.findall(r"<tr><td>([^<]+)</td>((?:<td>[^<]*</td>)+)</tr>", page)
    table = {name: re.findall(r"<td>([^<]*)</td>", rest) for name, rest in cells}
    assert table["English"] == ["2", "0", "161", "GSM-7", "2", "4"]
    assert table["Spanish"] == ["1", "0", "30", "UCS-2", "1", "1"]
    assert "Estimated total: 5 SMS segments, about $0.05" in page
    assert "Audience: 3 people." in page


def test_the_form_starts_with_the_languages_that_have_subscribers(app, twilio, admin):
    subscribe(app, twilio, ES_1, "español")
    page = admin.page("/inbox/broadcasts/new")
    assert re.search(r'value="es" checked', page)
    assert not re.search(r'value="en" checked', page)
    assert 'name="text_fr"' in page  # any language can still be written


@pytest.mark.parametrize(
    ("texts", "regions", "message"),
    [
        ({"en": ENGLISH}, "77a", "Regions are ZIP code prefixes"),
        ({"en": ENGLISH}, "77024", "Regions are ZIP code prefixes"),
        ({"en": "  "}, "", "Write the text for each chosen language"),
        ({}, "", "Choose at least one language"),
        ({"en": "x" * 1601}, "", "longer than 1600"),
    ],
)
def test_a_form_that_cannot_be_sent_says_why(app, admin, texts, regions, message):
    page = preview(admin, texts, regions)
    assert message in page
    assert rows(app, Broadcast) == []


def test_a_family_erased_after_a_broadcast_leaves_the_record_readable(app, twilio, admin):
    subscribe(app, twilio, EN_1)
    send(admin, {"en": ENGLISH})
    twilio.text("DELETE", sender=EN_1)
    twilio.text("1", sender=EN_1)
    with Session(db(app)) as session:
        assert session.exec(select(BroadcastDelivery)).all() == []
        assert session.exec(select(AlertSubscription)).all() == []
    page = admin.page("/inbox/broadcasts/1")
    assert figure(page, "Queued") == 1 and ENGLISH in page


def test_nobody_in_the_audience_means_no_send_button(app, twilio, admin):
    subscribe(app, twilio, EN_1, "1", "77024")
    page = preview(admin, {"en": ENGLISH}, regions="100")
    assert "Nobody would get it" in page and "Send to" not in page


def test_no_number_or_text_is_logged(app, twilio, admin, twilio_api, caplog):
    caplog.set_level(logging.DEBUG)
    subscribe(app, twilio, EN_1)
    subscribe(app, twilio, "whatsapp:" + EN_2)
    send(admin, {"en": ENGLISH})
    deliver(app)
    admin.get("/inbox/broadcasts/1")
    admin.post("/inbox/broadcasts/1/stop")
    logged = caplog.text
    assert "broadcast" in logged  # something was logged: ids and events
    for secret in (EN_1, EN_1[2:], EN_2[2:], ENGLISH, "Know your rights"):
        assert secret not in logged


def test_a_family_that_switched_language_gets_the_news_in_its_new_language(
    app, twilio, admin, twilio_api
):
    subscribe(app, twilio, EN_1)
    twilio.text("español", sender=EN_1)  # a language's name switches the conversation
    twilio_api.reset()
    assert re.search(r'value="es" checked', admin.page("/inbox/broadcasts/new"))
    send(admin, {"en": ENGLISH, "es": SPANISH})
    deliver(app)
    assert received(twilio_api) == {EN_1: [SPANISH]}
