"""What the hotline texts and emails to advocates (English, like the inbox).

An advocate's phone can be lost or seized: these SMS carry a case reference, its language,
its urgency and a link, never a name, a number or anything the family wrote.
"""

from __future__ import annotations


def _flags(language: str, code: str, urgent: bool) -> str:
    return f"{language} ({code})" + (", URGENT" if urgent else "")


def new_case(ref: str, language: str, code: str, urgent: bool, link: str) -> str:
    return (
        f"Hotline: new case {ref}, {_flags(language, code, urgent)}. "
        f"Reply CLAIM {ref} or open {link}"
    )


def still_waiting(ref: str, language: str, code: str, urgent: bool, minutes: int, link: str) -> str:
    return (
        f"Hotline: case {ref} is still unclaimed after {minutes} min, "
        f"{_flags(language, code, urgent)}. Reply CLAIM {ref} or open {link}"
    )


def new_message(ref: str, link: str) -> str:
    return f"Hotline: new message on case {ref}. Open {link}"


def case_updated(ref: str, link: str) -> str:
    return f"Hotline: case {ref} was updated. Open {link}"


def released(ref: str, language: str, code: str, urgent: bool, link: str) -> str:
    return (
        f"Hotline: case {ref} is back in the queue, {_flags(language, code, urgent)}. "
        f"Reply CLAIM {ref} or open {link}"
    )


# Answers to an advocate's SMS commands (the TwiML reply to their own message).
COMMANDS_HELP = (
    "Hotline advocate commands: CLAIM K7F-3QX to take a case; K7F-3QX then your message to "
    "text the family; CLOSE K7F-3QX to close it."
)


def claimed(ref: str) -> str:
    return f"You hold case {ref}. Text {ref} then your message to write to the family."


def sent(ref: str) -> str:
    return f"Sent to the family of case {ref}."


def closed(ref: str) -> str:
    return f"Case {ref} is closed. The family got the closing message."


def email_subject(ref: str, language: str, urgent: bool, reminder: bool) -> str:
    prefix = "Still unclaimed" if reminder else "New case"
    return f"[Hotline] {prefix} {ref} ({language}{', URGENT' if urgent else ''})"
