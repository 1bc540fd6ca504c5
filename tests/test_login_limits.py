"""The brake on guessing: counted atomically, checked outside the write lock, no lockout weapon."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from bot.storage.advocates import AuditEntry
from tests.utils.advocates import PASSWORD, Inbox, add_team, rows

pytestmark = pytest.mark.usefixtures("fast_passwords")
WRONG = "guess guess guess"


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    return add_team(app)


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


# --------------------------------------------------------------------------- atomic counting
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


# --------------------------------------------------------------------------- no lockout weapon
def attempts(inbox: Inbox, email: str, password: str, times: int) -> list[int]:
    return [
        inbox.post("/inbox/login", {"email": email, "password": password}).status_code
        for _ in range(times)
    ]


def known_device(app, address: str = "203.0.113.5") -> Inbox:  # type: ignore[no-untyped-def]
    """Ana's own browser: she logged in here before, and logged out at the end of her shift."""
    inbox = browser(app, address)
    assert inbox.login("ana@example.org").status_code == 302
    inbox.post("/inbox/logout")
    inbox.get("/inbox/login")
    return inbox


def test_a_strangers_wrong_passwords_do_not_lock_the_advocate_out_of_her_device(app, team):
    ana = known_device(app)
    stranger = browser(app, "198.51.100.7")
    statuses = attempts(stranger, "ana@example.org", WRONG, 8)
    assert statuses == [401] * 5 + [429] * 3
    # The stranger is still locked out, even with the right password…
    assert attempts(stranger, "ana@example.org", PASSWORD, 1) == [429]
    # …and so is any browser Ana has never used…
    assert attempts(browser(app, "203.0.113.5"), "ana@example.org", PASSWORD, 1) == [429]
    # …but Ana, on her own device, logs in and sees the queue.
    assert ana.login("ana@example.org").status_code == 302
    assert ana.client.get("/inbox/").status_code == 200
    # Her login did not give the stranger a fresh allowance.
    assert attempts(stranger, "ana@example.org", WRONG, 1) == [429]


def test_a_known_device_behind_the_same_address_as_the_stranger_still_logs_in(app, team):
    ana = known_device(app, "192.0.2.10")  # an office behind one address
    stranger = browser(app, "192.0.2.10")
    for n in range(25):
        stranger.post("/inbox/login", {"email": f"guess{n}@example.org", "password": WRONG})
    assert attempts(stranger, "ben@example.org", PASSWORD, 1) == [429]
    assert ana.login("ana@example.org").status_code == 302


def test_repeated_wrong_passwords_are_still_limited_everywhere(app, team, monkeypatch):
    ana = known_device(app)
    # The known device itself gets five tries, then waits like everyone else.
    assert attempts(ana, "ana@example.org", WRONG, 7) == [401] * 5 + [429] * 2
    assert attempts(ana, "ana@example.org", PASSWORD, 1) == [429]
    # One address guessing many accounts is stopped at twenty, and refused ones cost no argon2.
    hasher = counting(monkeypatch)
    stranger = browser(app, "198.51.100.9")
    statuses = [
        stranger.post("/inbox/login", {"email": f"guess{n}@example.org", "password": WRONG})
        .status_code
        for n in range(30)
    ]
    assert statuses == [401] * 20 + [429] * 10 and hasher.checks == 20
    app.extensions["advocates"].clock.advance(minutes=16)
    assert ana.login("ana@example.org").status_code == 302


def test_a_device_cookie_from_another_advocate_or_forged_does_not_pass(app, team):
    from bot.advocates import devices

    ben = browser(app, "203.0.113.8")
    assert ben.login("ben@example.org").status_code == 302
    bens_device = ben.client.get_cookie(devices.COOKIE)
    assert bens_device is not None
    attempts(browser(app, "198.51.100.7"), "ana@example.org", WRONG, 5)
    for value in (bens_device.value, "not-a-signed-value", bens_device.value[:-3] + "AAA"):
        thief = browser(app, "203.0.113.9")
        thief.client.set_cookie(devices.COOKIE, value)
        assert attempts(thief, "ana@example.org", PASSWORD, 1) == [429]


def test_a_thousand_failed_logins_add_a_bounded_number_of_audit_rows(app, team):
    from bot.storage.advocates import LoginAttempt

    before = len(rows(app, AuditEntry))
    stranger = browser(app, "198.51.100.7")
    statuses = []
    for n in range(1000):
        email = "ana@example.org" if n % 2 else f"guess{n}@example.org"
        response = stranger.post("/inbox/login", {"email": email, "password": WRONG})
        statuses.append(response.status_code)
    assert set(statuses) == {401, 429}
    added = [e.action for e in rows(app, AuditEntry)][before:]
    # One failure for the address, one for the known account it aimed at, one refusal.
    assert len(added) <= 3
    assert sorted(set(added)) == ["login_blocked", "login_failed"]
    assert len(rows(app, LoginAttempt)) <= 2 * 20 + 1
