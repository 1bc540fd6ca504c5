"""DELETE and `hotline purge` erase every copy: Twilio's messages and media, and SQLite's files."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from bot.storage.models import Message
from tests.conftest import DATA_KEY
from tests.test_outbox import FAMILY, HOTLINE, app, fake  # noqa: F401  (fixtures)
from tests.utils import advocates as team
from tests.utils.files import sqlite_bytes
from tests.utils.outbox import (
    FakeClock,
    conversation_of,
    make_worker,
    outbox_rows,
    queue,
    status_form,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")
STORY = "They took my husband Rodrigo Vasquez from the plant at dawn"
TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]+=*")


def _family_at_twilio(hotline, twilio_api, twilio):  # type: ignore[no-untyped-def]
    """A family's photo message (stored at Twilio with its media) and a reply sent to them."""
    sid, media = twilio_api.inbound(FAMILY, HOTLINE, STORY, media=1)
    twilio.text(STORY, sender=FAMILY, sid=sid, media=tuple(media))
    conversation = conversation_of(hotline, FAMILY)
    queue(hotline, to=FAMILY, body="We got your photo", conversation_id=conversation)
    make_worker(hotline).run(until_empty=True)
    [sent] = twilio_api.messages[-1:]
    assert sent["body"] == "We got your photo"
    return sid, media[0].rsplit("/", 1)[1], sent["sid"]


def _erase_rows(hotline):  # type: ignore[no-untyped-def]
    return [row for row in outbox_rows(hotline) if row.kind == "erase"]


def test_delete_erases_the_familys_messages_and_media_at_twilio(app, fake, twilio):  # noqa: F811
    inbound, media, outbound = _family_at_twilio(app, fake, twilio)
    twilio.text("DELETE", sender=FAMILY)
    assert "erased all we had" in twilio.text("1", sender=FAMILY)
    queued = _erase_rows(app)
    assert {inbound, outbound} <= {row.provider_sid for row in queued}
    # The rows name Twilio's sids and nothing about the family.
    assert all(row.to == "" and row.body is None and row.conversation_id is None
               and "5555550123" not in row.to_hash for row in queued)
    assert [row for row in outbox_rows(app) if row.kind != "erase"] == []
    make_worker(app).run(until_empty=True)
    assert {inbound, media, outbound} <= set(fake.deleted)
    assert fake.deleted.index(media) < fake.deleted.index(inbound)  # media first, then message
    for sid in (inbound, outbound):
        with pytest.raises(KeyError):
            fake.message(sid)
    assert {row.status for row in _erase_rows(app)} == {"erased"}  # the record that it happened
    assert fake.messages == []  # nothing was sent to do it


def test_a_twilio_error_while_erasing_is_retried(app, fake, twilio):  # noqa: F811
    inbound, media, outbound = _family_at_twilio(app, fake, twilio)
    twilio.text("DELETE", sender=FAMILY)
    twilio.text("1", sender=FAMILY)
    fake.fail_deletes(2, 503)
    worker = make_worker(app, FakeClock())
    worker.run_once()
    waiting = [row for row in _erase_rows(app) if row.status == "pending"]
    assert waiting and waiting[0].error.startswith("will retry")
    worker.run(until_empty=True)
    assert {inbound, media, outbound} <= set(fake.deleted)
    assert {row.status for row in _erase_rows(app)} == {"erased"}
    assert [r["status"] for r in fake.requests if r["method"] == "DELETE"][:2] == [503, 503]


def test_a_late_status_callback_does_not_undo_an_erasure(app, fake, twilio):  # noqa: F811
    _, _, outbound = _family_at_twilio(app, fake, twilio)
    twilio.text("DELETE", sender=FAMILY)
    twilio.text("1", sender=FAMILY)
    assert twilio.post("/twilio/status", status_form(outbound, "delivered")).status_code < 300
    assert [row.status for row in _erase_rows(app) if row.provider_sid == outbound] == ["pending"]
    make_worker(app).run(until_empty=True)
    assert outbound in fake.deleted


def test_purge_erases_old_messages_at_twilio(app, fake, twilio, client):  # noqa: F811
    clock = team.use_clock(app, team.Clock(datetime.now(UTC)))
    team.add_advocate(app)
    inbox = team.Inbox(client)
    inbox.login()
    inbound, media, outbound = _family_at_twilio(app, fake, twilio)
    ref = team.open_agent_case(twilio, sender=FAMILY)
    inbox.act(ref, "claim")
    inbox.act(ref, "close")
    sids = {m.message_sid for m in team.rows(app, Message) if m.message_sid}
    assert {inbound, outbound} <= sids
    clock.advance(days=91)
    assert team.cli(app, "purge").exit_code == 0
    assert team.rows(app, Message) == []
    assert sids <= {row.provider_sid for row in _erase_rows(app)}
    make_worker(app).run(until_empty=True)
    # Every sid was looked up at Twilio; those Twilio holds were deleted, media first.
    asked = {found.group(1) for r in fake.requests
             if (found := re.search(r"/Messages/(\w+)", r["path"]))}
    assert sids <= asked
    assert {inbound, media, outbound} <= set(fake.deleted)
    assert {row.status for row in _erase_rows(app)} == {"erased"}


def test_erased_ciphertext_is_not_left_in_the_sqlite_files(
    app, fake, twilio, app_settings  # noqa: F811
):
    if sqlite_bytes(str(app_settings["database_url"])) is None:
        pytest.skip("the database files are SQLite's; see docs/security.md for PostgreSQL")
    twilio.text(STORY, sender=FAMILY)
    twilio.text("my son Mateo is alone at home", sender=FAMILY)
    db = app.extensions["hotline"].db
    with db.connect() as connection:
        stored = [v for (v,) in connection.execute(text("SELECT body FROM message")) if v]
    assert stored and all(value.startswith("gAAAAA") for value in stored)
    twilio.text("DELETE", sender=FAMILY)
    assert "erased all we had" in twilio.text("1", sender=FAMILY)
    _erased_from_the_files(
        str(app_settings["database_url"]), stored, "Rodrigo", "Mateo", "5555550123"
    )


def test_erasures_in_a_burst_share_a_checkpoint_and_leave_the_sqlite_files(
    app, fake, twilio, app_settings, monkeypatch  # noqa: F811
):
    """Three families erase one after another: one checkpoint at once, the others shared."""
    import time

    from bot.storage import db as storage

    url = str(app_settings["database_url"])
    if sqlite_bytes(url) is None:
        pytest.skip("the database files are SQLite's; see docs/security.md for PostgreSQL")
    # Longer than in production, so that a busy machine still sends the three within it.
    monkeypatch.setattr(storage, "CHECKPOINT_SPACING", 3.0)
    ran: list[float] = []
    checkpoint = storage.checkpoint
    monkeypatch.setattr(
        storage, "checkpoint", lambda e: (checkpoint(e), ran.append(time.monotonic()))
    )
    families = ["+15555550161", "+15555550162", "+15555550163"]
    for number in families:
        twilio.text(f"{STORY}, call me at {number}", sender=number)
    db = app.extensions["hotline"].db
    with db.connect() as connection:
        stored = [v for (v,) in connection.execute(text("SELECT body FROM message")) if v]
    for number in families:
        twilio.text("DELETE", sender=number)
        assert "erased all we had" in twilio.text("1", sender=number)
    answered = time.monotonic()
    assert 1 <= len(ran) < len(families)  # the first at once; later ones wait and share one
    deadline = answered + storage.CHECKPOINT_SPACING + 3
    while ran[-1] < answered and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ran[-1] >= answered  # the shared one ran after the last erasure
    _erased_from_the_files(url, stored, "Rodrigo", "5555550")


def _erased_from_the_files(url: str, stored: list[str], *words: str) -> None:
    """No ciphertext that was stored, and none that decrypts to these words, in the files."""
    raw = sqlite_bytes(url) or b""
    for value in stored:
        assert value.encode() not in raw
    keys = Fernet(DATA_KEY.encode())
    for token in TOKEN.findall(raw):
        try:
            plain = keys.decrypt(token).decode("utf-8", "replace")
        except (InvalidToken, ValueError):
            continue
        assert not [word for word in words if word in plain]
