"""Admins edit advocates' languages, role and on-call hours from the inbox, as the CLI does."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session

from bot.storage.advocates import Advocate, AuditEntry, OnCallWindow
from tests.utils.advocates import Inbox, add_advocate, add_team, cli, rows

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def team(app):  # type: ignore[no-untyped-def]
    return add_team(app)


@pytest.fixture
def dora(client, team) -> Inbox:  # type: ignore[no-untyped-def]
    """The admin, logged in."""
    inbox = Inbox(client)
    assert inbox.login("dora@example.org").status_code == 302
    return inbox


def edit(inbox: Inbox, advocate_id: int, **fields: str):  # type: ignore[no-untyped-def]
    """Open the edit page (for its CSRF token) and submit it with these fields changed."""
    inbox.get(f"/inbox/advocates/{advocate_id}/edit")
    form = {"languages": "en", "role": "advocate", "hours": "always", "windows": ""}
    form.update(fields)
    return inbox.post(f"/inbox/advocates/{advocate_id}/edit", form)


def advocate(app, advocate_id: int) -> Advocate:  # type: ignore[no-untyped-def]
    return rows(app, Advocate, Advocate.id == advocate_id)[0]


def audit_actions(app) -> list[tuple[str, int | None, int | None]]:  # type: ignore[no-untyped-def]
    return [
        (e.action, e.advocate_id, e.subject_id)
        for e in rows(app, AuditEntry)
        if e.action not in ("login", "logout")
    ]


def test_admin_sets_languages_and_weekly_hours_and_the_roster_follows(app, dora, team):
    from bot.advocates import roster

    response = edit(dora, team["ana"], languages="es, en", hours="windows",
                    windows="mon-fri 09:00-17:00\nsat 10:00-14:00")
    assert response.status_code == 302 and response.headers["Location"].endswith("/advocates")
    page = dora.page("/inbox/advocates")
    assert "Saved: Ana Ruiz." in page
    assert "mon 09:00-17:00; tue 09:00-17:00" in page and "sat 10:00-14:00" in page
    ana = advocate(app, team["ana"])
    assert ana.languages == ["es", "en"] and ana.always_on is False
    assert len(rows(app, OnCallWindow, OnCallWindow.advocate_id == team["ana"])) == 6
    with Session(app.extensions["hotline"].db) as session:
        sunday = roster.on_call(session, datetime(2026, 12, 6, 11, 0))
        monday = roster.on_call(session, datetime(2026, 12, 7, 11, 0))
    assert team["ana"] not in [a.id for a in sunday]
    assert team["ana"] in [a.id for a in monday]
    assert audit_actions(app) == [
        ("languages_changed", team["dora"], team["ana"]),
        ("hours_changed", team["dora"], team["ana"]),
    ]
    assert "Ana Ruiz" in dora.page("/inbox/audit")


def test_the_edit_page_shows_what_is_stored(app, dora, team):
    cli(app, "advocate", "on-call", str(team["ben"]), "daily 22:00-06:00")
    page = dora.page(f"/inbox/advocates/{team['ben']}/edit")
    assert "sun 22:00-06:00" in page and 'value="en"' in page
    assert 'value="windows" id="weekly" checked' in page


def test_admin_makes_an_advocate_admin_and_their_sessions_end(app, client, dora, team):
    ben = Inbox(app.test_client())
    assert ben.login("ben@example.org").status_code == 302
    assert edit(dora, team["ben"], role="admin").status_code == 302
    assert advocate(app, team["ben"]).role == "admin"
    assert ben.client.get("/inbox/").status_code == 302  # logged out: log in again as admin
    assert ("made_admin", team["dora"], team["ben"]) in audit_actions(app)


@pytest.mark.parametrize(
    "fields, cli_args",
    [
        ({"hours": "windows", "windows": "mon-fri 9-5"}, ["on-call", "2", "mon-fri 9-5"]),
        ({"hours": "windows", "windows": "funday 09:00-17:00"},
         ["on-call", "2", "funday 09:00-17:00"]),
        ({"hours": "windows", "windows": "mon 25:00-26:00"}, ["on-call", "2", "mon 25:00-26:00"]),
        ({"hours": "windows", "windows": "mon 09:00-09:00"}, ["on-call", "2", "mon 09:00-09:00"]),
        ({"hours": "windows", "windows": ""}, ["on-call", "2"]),
        ({"hours": "always", "windows": "mon 09:00-17:00"},
         ["on-call", "2", "--always", "mon 09:00-17:00"]),
        ({"languages": "español"}, ["languages", "2", "español"]),
        ({"languages": "es; en"}, ["languages", "2", "es;", "en"]),
    ],
)
def test_a_mistake_is_shown_on_the_page_as_the_cli_says_it_and_nothing_changes(
    app, dora, team, fields, cli_args
):
    response = edit(dora, team["ben"], **{"languages": "es", "role": "admin", **fields})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    said = cli(app, "advocate", *cli_args)
    assert said.exit_code == 2
    message = said.output.strip().splitlines()[-1].removeprefix("Error: ")
    from html import unescape

    assert message and message in unescape(page)
    assert 'role="alert"' in page
    # What the admin typed stays in the form to correct it.
    assert fields.get("windows", "") in unescape(page)
    ben = advocate(app, team["ben"])
    assert (ben.languages, ben.role, ben.always_on) == (["en"], "advocate", True)
    assert audit_actions(app) == []


def test_the_last_admin_cannot_stop_being_one(app, dora, team):
    response = edit(dora, team["dora"], role="advocate")
    assert response.status_code == 400
    assert "Dora Admin is the last admin" in response.get_data(as_text=True)
    assert advocate(app, team["dora"]).role == "admin"
    said = cli(app, "advocate", "role", str(team["dora"]), "advocate")
    assert said.exit_code == 2 and "is the last admin" in said.output


def test_an_admin_may_step_down_when_another_admin_remains(app, dora, team):
    assert edit(dora, team["ben"], role="admin").status_code == 302
    assert edit(dora, team["dora"], role="advocate").status_code == 302
    assert advocate(app, team["dora"]).role == "advocate"
    assert dora.client.get("/inbox/advocates").status_code == 302  # her admin session ended


def test_a_role_that_does_not_exist_is_refused(app, dora, team):
    response = edit(dora, team["ben"], role="root")
    assert response.status_code == 400
    assert "role must be one of advocate, admin" in response.get_data(as_text=True)
    assert advocate(app, team["ben"]).role == "advocate"


def test_saving_without_changes_writes_no_audit_entry(app, dora, team):
    response = edit(dora, team["ben"])
    assert response.status_code == 302
    assert "Nothing changed for Ben Ortiz." in dora.page("/inbox/advocates")
    assert audit_actions(app) == []


def test_advocates_who_are_not_admins_are_refused(app, client, team):
    ana = Inbox(client)
    assert ana.login("ana@example.org").status_code == 302
    assert ana.get(f"/inbox/advocates/{team['ben']}/edit").status_code == 403
    response = ana.post(f"/inbox/advocates/{team['ben']}/edit",
                        {"languages": "es", "role": "admin", "hours": "always"})
    assert response.status_code == 403
    assert "Your role does not allow this." in response.get_data(as_text=True)
    assert advocate(app, team["ben"]).role == "advocate"
    assert advocate(app, team["ana"]).role == "advocate"


def test_the_edit_page_needs_a_login(client, team):
    response = client.get(f"/inbox/advocates/{team['ben']}/edit")
    assert response.status_code == 302 and "/inbox/login" in response.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused(app, dora, team):
    dora.get(f"/inbox/advocates/{team['ben']}/edit")
    response = dora.post(f"/inbox/advocates/{team['ben']}/edit",
                         {"languages": "es", "role": "admin", "hours": "always"}, token=False)
    assert response.status_code == 400
    assert advocate(app, team["ben"]).role == "advocate"


def test_an_unknown_advocate_is_a_404(dora):
    assert dora.get("/inbox/advocates/999/edit").status_code == 404
    assert edit(dora, 999).status_code == 404


def test_the_command_line_writes_the_same_audit_entries(app, team):
    assert cli(app, "advocate", "languages", str(team["ben"]), "es", "en").exit_code == 0
    assert cli(app, "advocate", "on-call", str(team["ben"]), "weekends 08:00-20:00").exit_code == 0
    assert cli(app, "advocate", "role", str(team["ben"]), "admin").exit_code == 0
    assert audit_actions(app) == [
        ("languages_changed", None, team["ben"]),
        ("hours_changed", None, team["ben"]),
        ("made_admin", None, team["ben"]),
    ]
    assert advocate(app, team["ben"]).languages == ["es", "en"]


def test_an_advocate_without_a_login_can_be_edited_too(app, dora, team):
    cruz = add_advocate(app, "Cruz", "+15555550209", None, ("mam",))
    assert edit(dora, cruz, languages="mam, es").status_code == 302
    assert advocate(app, cruz).languages == ["mam", "es"]
