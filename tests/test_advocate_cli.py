"""`hotline advocate add | list | on-call | deactivate | password | escalate`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from bot.storage.advocates import Advocate, OnCallWindow
from tests.utils.advocates import PASSWORD, Inbox, cli, rows

pytestmark = pytest.mark.usefixtures("fast_passwords")


def add_ana(app, *extra: str):  # type: ignore[no-untyped-def]
    return cli(
        app, "advocate", "add", "--name", "Ana Ruiz", "--phone", "+12125550111",
        "--email", "Ana@Example.org", "--lang", "es", "--lang", "en", "--role", "admin",
        "--password-stdin", *extra, input=PASSWORD + "\n",
    )


def test_add_stores_an_argon2_hash_and_encrypts_phone_and_email(app, client):
    result = add_ana(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "advocate 1 added (admin)"
    [ana] = rows(app, Advocate)
    assert ana.password_hash.startswith("$argon2id$")
    assert (ana.email, ana.phone, ana.languages, ana.role, ana.always_on) == (
        "ana@example.org", "+12125550111", ["es", "en"], "admin", True
    )
    with app.extensions["hotline"].db.connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM advocate")).all())
    assert "2125550111" not in dump and "example.org" not in dump and PASSWORD not in dump
    assert Inbox(client).login("ana@example.org").status_code == 302


def test_add_asks_for_the_password_twice_when_not_given_on_stdin(app):
    result = cli(
        app, "advocate", "add", "--name", "Ben", "--phone", "+12125550112",
        "--email", "ben@example.org", input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output


def test_add_without_email_asks_no_password(app):
    result = cli(app, "advocate", "add", "--name", "Cruz", "--phone", "+12125550113",
                 "--lang", "es,mam")
    assert result.exit_code == 0, result.output
    [cruz] = rows(app, Advocate)
    assert cruz.password_hash is None and cruz.languages == ["es", "mam"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--phone", "555-0111"], "is not a phone number in +E.164 form"),
        (["--phone", "+12125550111", "--email", "not-an-email"], "is not an email address"),
        (["--phone", "+12125550112", "--on-call", "mornings"], "should look like 'mon-fri"),
    ],
)
def test_add_refuses_bad_details_with_a_clear_message(app, args, message):
    result = cli(app, "advocate", "add", "--name", "X", *args, input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert message in result.output
    assert rows(app, Advocate) == []


def test_short_password_and_duplicate_phone_are_refused(app):
    short = cli(app, "advocate", "add", "--name", "X", "--phone", "+12125550111",
                "--email", "x@example.org", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert add_ana(app).exit_code == 0
    again = cli(app, "advocate", "add", "--name", "Y", "--phone", "+1 212 555 0111")
    assert again.exit_code == 2 and "already has this phone number" in again.output


def test_list_on_call_and_deactivate(app):
    add_ana(app)
    cli(app, "advocate", "add", "--name", "Ben", "--phone", "+12125550112",
        "--on-call", "mon-fri 09:00-17:00", "--on-call", "sat 22:00-02:00")
    listed = cli(app, "advocate", "list", "--json")
    data = json.loads(listed.output)
    assert [(r["name"], r["role"], r["phone"]) for r in data] == [
        ("Ana Ruiz", "admin", "…0111"), ("Ben", "advocate", "…0112")
    ]
    assert data[0]["hours"] == "always"
    assert data[1]["hours"][0] == "mon 09:00-17:00" and data[1]["hours"][-1] == "sat 22:00-02:00"
    assert "+12125550112" not in listed.output

    changed = cli(app, "advocate", "on-call", "ana@example.org", "weekends 10:00-14:00")
    assert changed.output.strip() == "advocate 1 on call: sat 10:00-14:00; sun 10:00-14:00"
    assert len(rows(app, OnCallWindow, OnCallWindow.advocate_id == 1)) == 2
    assert cli(app, "advocate", "on-call", "2", "--always").exit_code == 0
    assert rows(app, Advocate)[1].always_on is True

    assert cli(app, "advocate", "deactivate", "+12125550112").output.strip() == (
        "advocate 2 deactivated"
    )
    assert "inactive" in cli(app, "advocate", "list").output
    assert cli(app, "advocate", "deactivate", "nobody@example.org").exit_code == 2


def test_password_change_ends_open_sessions(app, client):
    add_ana(app)
    inbox = Inbox(client)
    inbox.login("ana@example.org")
    new = "a brand new passphrase"
    changed = cli(app, "advocate", "password", "1", "--password-stdin", input=new + "\n")
    assert changed.exit_code == 0
    assert client.get("/inbox/").status_code == 302
    assert Inbox(app.test_client()).login("ana@example.org", new).status_code == 302


def test_escalate_command_runs_one_pass(app):
    result = cli(app, "advocate", "escalate")
    assert result.exit_code == 0
    assert result.output.strip() == "escalated 0 case(s), sent 0 email/webhook(s)"
