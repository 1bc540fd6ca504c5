"""The hotline under a real gunicorn (two workers, its gunicorn.conf.py) on SQLite, for tests."""

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from twilio.request_validator import RequestValidator

from tests.conftest import DATA_KEY, PUBLIC_BASE_URL, ROOT, TEST_TOKEN
from tests.utils.twilio import inbound_form


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(tmp_path: Path, extra_env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Start gunicorn on a fresh, migrated SQLite file; yield its base URL; stop it."""
    from bot.storage.migrate import upgrade

    database = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    engine = create_engine(database)
    upgrade(engine)
    engine.dispose()
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("HOTLINE_", "TWILIO_", "PROMETHEUS_", "DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=database, HOTLINE_DATA_KEYS=DATA_KEY,
        HOTLINE_SECRET_KEY="test-secret-key-for-sessions-0123456789",
        TWILIO_AUTH_TOKEN=TEST_TOKEN, PUBLIC_BASE_URL=PUBLIC_BASE_URL, **extra_env,
    )
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "-w", str(workers), "-b", f"127.0.0.1:{port}", "bot:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, tmp_path / "gunicorn.log")
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):  # at most about a minute: the workers load the language detector
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        if get(base_url + "/healthz", {})[0] == 200:
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer: {log.read_text()[-2000:]}")


def get(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def post_signed(base_url: str, sender: str, body: str) -> int:
    """Text the hotline as Twilio would post it, signed; returns the HTTP status."""
    form = inbound_form(body, sender=sender)
    signature = RequestValidator(TEST_TOKEN).compute_signature(
        PUBLIC_BASE_URL + "/twilio/messages", form
    )
    request = urllib.request.Request(
        base_url + "/twilio/messages", data=urllib.parse.urlencode(form).encode(),
        headers={"X-Twilio-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
