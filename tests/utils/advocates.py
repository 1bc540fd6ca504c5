"""Factories and drivers for the advocates' side: accounts, cases, a logged-in inbox, a clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.storage.models import Case, Conversation, Message, OutboxMessage

PASSWORD = "correct horse battery staple"
# A Monday, 10:00 in New York (the hotline's default time zone).
MONDAY_MORNING = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
FAMILY = "+15555550101"

# Answers to the intake, question by question, ending on the review screen. The family
# consents, says it is urgent (the case opens and advocates are told at that answer), then
# answers every question, the follow-ups included.
INTAKE = [
    "1",  # consent: yes
    "1",  # urgent: yes
    "they said he will be moved tomorrow",
    "2",  # relationship: spouse
    "Juan Perez Lopez",
    "guatemala",
    "A123456789",
    "3/14/1985",
    "Conroe processing center",
    "11/27/2026",
    "at work in Houston",
    "1",  # court case now: yes
    "December 8 in Houston",  # next court date
    "2",  # past deportation order or missed court date: no
    "2",  # papers from ICE: got papers, did not sign
    "2",  # lawyer: no
    "1 4",  # cases or status: asylum case, family petition
    "1",  # afraid to go back: yes
    "3",  # time in the US: more than 10 years
    "1",  # children under 18: yes
    "1",  # someone cares for them: yes
    "1",  # daily medicine: yes
    "insulin for diabetes",
    "4",  # their own language: Mam
    "1 2",  # factors: family, work
    "1",  # past arrest or criminal case: yes (a choice; no details by text)
    "1",  # callback: this number
    "1",  # call language: this chat's
    "my zip is 77002",  # ZIP code (Houston)
]
PERSONAL = [
    "Juan", "Perez", "123456789", "123-456-789", "Houston", "Conroe", "moved tomorrow",
    "December 8", "insulin", "diabetes", "5555550101", "555-0101", "guatemala", "Guatemala",
    "1985",
]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = MONDAY_MORNING):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def use_clock(app: Any, clock: Clock | None = None) -> Clock:
    clock = clock or Clock()
    app.extensions["advocates"].clock = clock
    return clock


def add_advocate(
    app: Any,
    name: str = "Ana Ruiz",
    phone: str = "+15555550201",
    email: str | None = "ana@example.org",
    languages: tuple[str, ...] = ("en",),
    role: str = "advocate",
    windows: tuple[str, ...] = (),
    password: str | None = PASSWORD,
) -> int:
    from bot.advocates import roster
    from bot.storage.db import transaction

    parsed = [w for spec in windows for w in roster.parse_windows(spec)]
    with transaction(app.extensions["hotline"].db) as session:
        advocate = roster.add_advocate(
            session, name=name, phone=phone, email=email, languages=list(languages), role=role,
            password=password if email else None, windows=parsed,
        )
        return advocate.id


def add_team(app: Any) -> dict[str, int]:
    """Two advocates and an admin who log in with PASSWORD; the clock on Monday morning."""
    use_clock(app)
    return {
        "ana": add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org"),
        "ben": add_advocate(app, "Ben Ortiz", "+15555550202", "ben@example.org"),
        "dora": add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org",
                             role="admin"),
    }


def open_agent_case(twilio: Any, sender: str = FAMILY, language: str = "1") -> str:
    """A family that asks for a person right away; returns the case reference."""
    twilio.text("hello", sender=sender)
    twilio.text(language, sender=sender)
    return ref_in(twilio.text("AGENT", sender=sender))


def open_intake_case(twilio: Any, sender: str = FAMILY, language: str = "1",
                     story: str | None = None) -> str:
    """A family that answers every question and sends them; returns the case reference.

    A first text that tells of an arrest leads straight to the questions once the language is
    picked; a greeting leads to the menu, where "2" (someone was arrested) starts them."""
    app = twilio.client.application
    twilio.text(story or "hello", sender=sender)
    twilio.text(language, sender=sender)
    if state_of(app, sender) == "menu":
        twilio.text("2", sender=sender)
    assert state_of(app, sender) == "consent"
    for answer in INTAKE:
        twilio.text(answer, sender=sender)
    return ref_in(twilio.text("OK", sender=sender))


def ref_in(text: str) -> str:
    match = re.search(r"case number is ([A-Z0-9]{3}-[A-Z0-9]{3})", text)
    assert match, text
    return match.group(1)


def rows(app: Any, model: Any, *where: Any) -> list[Any]:
    with Session(app.extensions["hotline"].db) as session:
        return list(session.exec(select(model).where(*where).order_by(model.id)).all())


def conversation_with(app: Any, number: str) -> Conversation:
    """The conversation of a number that has texted the hotline."""
    from bot.storage import crypto
    from bot.storage.models import Contact

    hashes = crypto.current().lookup_hashes(number)
    [contact] = rows(app, Contact, Contact.phone_hash.in_(hashes))
    [conversation] = rows(app, Conversation, Conversation.contact_id == contact.id)
    return conversation


def state_of(app: Any, number: str) -> str | None:
    """Where a number's conversation stands: the question it waits for an answer to."""
    return conversation_with(app, number).state


def case_of(app: Any, ref: str) -> Case:
    return rows(app, Case, Case.ref == ref)[0]


def conversation_of(app: Any, ref: str) -> Conversation:
    case = case_of(app, ref)
    return rows(app, Conversation, Conversation.id == case.conversation_id)[0]


def outbox(app: Any, kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    found = rows(app, OutboxMessage)
    return [r for r in found if (kind is None or r.kind == kind) and (to is None or r.to == to)]


def transcript(app: Any, ref: str) -> list[Message]:
    case = case_of(app, ref)
    return rows(app, Message, Message.conversation_id == case.conversation_id)


def two_locales(tmp_path: Path) -> Path:
    """English and a second locale ("es", same words) so cases can come in two languages."""
    root = Path(__file__).resolve().parents[2] / "locales"
    folder = tmp_path / "locales"
    folder.mkdir()
    english = (root / "en.yaml").read_text()
    (folder / "en.yaml").write_text(english)
    spanish = (
        english.replace("code: en", "code: es", 1)
        .replace("name: English", "name: Spanish", 1)
        .replace("native: English", "native: Español", 1)
    )
    (folder / "es.yaml").write_text(spanish)
    return folder


_TOKEN = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


class Inbox:
    """An advocate's browser, as the Flask test client: pages, forms with their CSRF token."""

    def __init__(self, client: Any):
        self.client = client
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1) or found.group(2)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, *, token: bool = True,
             **kwargs: Any) -> Any:
        form = dict(data or {})
        if token:
            if not self.token:
                self.get("/inbox/login")
            form["csrf_token"] = self.token
        return self.client.post(path, data=form, **kwargs)

    def login(self, email: str = "ana@example.org", password: str = PASSWORD) -> Any:
        self.get("/inbox/login")
        response = self.post("/inbox/login", {"email": email, "password": password})
        if response.status_code == 302:
            self.get("/inbox/")
        return response

    def act(self, ref: str, action: str, **form: str) -> Any:
        """Press a button on a case page (claim, release, reply, close, hand-back, notes)."""
        self.get(f"/inbox/cases/{ref}")
        return self.post(f"/inbox/cases/{ref}/{action}", form, follow_redirects=True)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


def cli(app: Any, *args: str, input: str | None = None) -> Any:
    """Run a `hotline` command against this app (not one built from the environment)."""
    from tests.utils.cli import run_cli

    return run_cli(app, list(args), input=input)
