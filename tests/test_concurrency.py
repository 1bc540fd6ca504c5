"""Fast double texts, retries racing each other, and two server processes on one SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from twilio.request_validator import RequestValidator

from bot.service import InboundMessage
from bot.storage.models import Conversation, Message
from tests.conftest import DATA_KEY, ROOT
from tests.utils.twilio import inbound_form, new_sid, replies


def count(app, query):  # type: ignore[no-untyped-def]
    with Session(app.extensions["hotline"].db) as session:
        return session.exec(query).one()


def test_one_sender_texting_fast_is_handled_one_message_at_a_time(app):
    hotline = app.extensions["hotline"]
    sender = "+15555550180"
    sids = [new_sid() for _ in range(24)]
    # Every message sent twice at once, as Twilio retries do: 48 deliveries, 24 messages.
    deliveries = [sid for sid in sids for _ in range(2)]

    def deliver(sid: str):  # type: ignore[no-untyped-def]
        return sid, hotline.handle_inbound(InboundMessage(sid=sid, sender=sender, body="zzz"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(deliver, deliveries))
    inbound = count(app, select(func.count()).select_from(Message).where(Message.direction == "in"))
    assert inbound == 24
    by_sid: dict[str, list[list[str]]] = {}
    for sid, result in results:
        by_sid.setdefault(sid, []).append(result.replies)
    # Both deliveries of a message got the same answer.
    assert all(a == b for a, b in by_sid.values())
    assert sum(1 for _, r in results if r.duplicate) == 24
    conversations = count(app, select(func.count()).select_from(Conversation))
    assert conversations == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn test runs on Linux")
def test_two_gunicorn_workers_on_one_sqlite_file_never_fail(tmp_path: Path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hotline.db'}",
        "HOTLINE_ENV": "production",
        "HOTLINE_SECRET_KEY": "s" * 40,
        "HOTLINE_DATA_KEYS": DATA_KEY,
        "TWILIO_AUTH_TOKEN": "gunicorn-test-token",
        "PUBLIC_BASE_URL": base,
    }
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=ROOT, check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "bot:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        validator = RequestValidator("gunicorn-test-token")

        def post(n: int) -> tuple[int, bytes]:
            form = inbound_form(["hola", "1", "1", "more", "menu"][n % 5],
                                sender=f"+1555556{n % 40:04d}")
            signature = validator.compute_signature(base + "/twilio/messages", form)
            request = urllib.request.Request(
                base + "/twilio/messages",
                data=urllib.parse.urlencode(form).encode(),
                headers={"X-Twilio-Signature": signature},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read()

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(post, range(400)))
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    statuses = [status for status, _ in results]
    assert statuses == [200] * 400, stderr.decode()[-2000:]
    assert all(replies(body) for _, body in results)
    assert b"database is locked" not in stderr
