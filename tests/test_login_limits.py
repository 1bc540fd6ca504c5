"""The brake on guessing: counted atomically, checked outside the write lock, no lockout weapon."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from bot.storage.advocates import AuditEntry
from tests.utils.advocates import PASSWORD, Inbox, add_advocate, rows, use_clock

pytestmark = pytest.mark.usefixtures("fast_passwords")
WRONG = "guess guess guess"


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    use_clock(app)
    return {
        "ana": add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org"),
        "ben": add_advocate(app, "Ben Ortiz", "+15555550202", "ben@example.org"),
    }


class CountingHasher:
    """The test's argon2, counting every password check and stretching each one a little."""

    def __init__(self, inner: Any, during: Any = None):
        self.inner = inner
        self.during = during
        self.checks = 0
        self.lock = threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self.lock:
            self.checks += 1
        if self.during is not None:
            self.during()
        time.sleep(0.02)
        return self.inner.verify(hashed, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def counting(monkeypatch: pytest.MonkeyPatch, during: Any = None) -> CountingHasher:
    from bot.advocates import roster

    hasher = CountingHasher(roster.PASSWORDS, during)
    roster._dummy_hash()  # made before counting starts
    monkeypatch.setattr(roster, "PASSWORDS", hasher)
    return hasher


def browser(app, address: str = "127.0.0.1") -> Inbox:  # type: ignore[no-untyped-def]
    inbox = Inbox(app.test_client())
    inbox.client.environ_base["REMOTE_ADDR"] = address
    inbox.get("/inbox/login")
    return inbox


def in_parallel(inboxes: list[Inbox], email: str, password: str) -> list[int]:
    start = threading.Barrier(len(inboxes))
    statuses: list[int] = []

    def attempt(inbox: Inbox) -> None:
        start.wait()
        response = inbox.post("/inbox/login", {"email": email, "password": password})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(inbox,)) for inbox in inboxes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


# --------------------------------------------------------------------------- item: atomic count
def test_sixteen_parallel_guesses_get_no_more_than_the_limit(app, team, monkeypatch):
    hasher = counting(monkeypatch)
    inboxes = [browser(app) for _ in range(16)]
    statuses = in_parallel(inboxes, "ana@example.org", WRONG)
    assert statuses == [401] * 5 + [429] * 11
    assert hasher.checks == 5


def test_sixteen_parallel_guesses_from_many_addresses_get_no_more_than_the_limit(
    app, team, monkeypatch
):
    hasher = counting(monkeypatch)
    inboxes = [browser(app, f"198.51.100.{n}") for n in range(16)]
    statuses = in_parallel(inboxes, "ana@example.org", WRONG)
    assert statuses.count(401) == 5 and hasher.checks == 5


def test_the_password_check_runs_with_no_lock_held(app, team, monkeypatch):
    from bot.storage.db import is_postgres, write_lock

    db = app.extensions["hotline"].db
    seen: list[str] = []

    def meanwhile() -> None:
        # The webhook, in another thread, must get the write lock while argon2 works.
        got = threading.Event()

        def write() -> None:
            with write_lock(db):
                got.set()

        other = threading.Thread(target=write)
        other.start()
        other.join(timeout=5)
        seen.append("free" if got.is_set() else "held")
        if is_postgres(db):
            with db.connect() as connection:
                held = connection.execute(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                ).scalar_one()
            seen.append("free" if held == 0 else "held")

    counting(monkeypatch, during=meanwhile)
    inbox = browser(app)
    assert inbox.post("/inbox/login", {"email": "ana@example.org", "password": WRONG}
                      ).status_code == 401
    assert inbox.post("/inbox/login", {"email": "ana@example.org", "password": PASSWORD}
                      ).status_code == 302
    assert seen and set(seen) == {"free"}


def test_a_right_password_takes_its_attempt_back(app, team):
    inbox = browser(app)
    for _ in range(4):
        assert inbox.post("/inbox/login", {"email": "ana@example.org", "password": WRONG}
                          ).status_code == 401
    assert inbox.login("ana@example.org").status_code == 302
    inbox.post("/inbox/logout")
    inbox.get("/inbox/login")
    # The failures were forgotten: four more wrong tries are refused as wrong, not blocked.
    for _ in range(4):
        assert inbox.post("/inbox/login", {"email": "ana@example.org", "password": WRONG}
                          ).status_code == 401
    assert [e.action for e in rows(app, AuditEntry)].count("login") == 1
