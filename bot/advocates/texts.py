"""What the hotline texts and emails to advocates (English, like the inbox).

An advocate's phone can be lost or seized: these SMS carry a case reference, its language,
its urgency and a link, never a name, a number or anything the family wrote.
"""

from __future__ import annotations

from datetime import datetime


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
    "text the family; CLOSE K7F-3QX to close it; HEARING K7F-3QX 2027-01-15 9:00 and the court "
    "to record a hearing."
)


def claimed(ref: str) -> str:
    return f"You hold case {ref}. Text {ref} then your message to write to the family."


def sent(ref: str) -> str:
    return f"Sent to the family of case {ref}."


def closed(ref: str) -> str:
    return f"Case {ref} is closed. The family got the closing message."


HEARING_HELP = (
    "To record a hearing: HEARING K7F-3QX 2027-01-15 9:00 and the court (add VIDEO if it is by "
    "video). To cancel it: HEARING K7F-3QX CANCEL."
)


def hearing_recorded(ref: str, at: datetime, status: str) -> str:
    """The date and time are echoed so a misread one is caught; the court is not."""
    when = f"{at:%a %b} {at.day}, {at.year} at {at:%H:%M} ({at.tzinfo})"
    if status == "unchanged":
        return f"Case {ref} already has its hearing on {when}. Nothing changed."
    done = "changed to" if status == "changed" else "recorded for"
    return f"Hearing of case {ref} {done} {when}. The family was told and will get reminders."


def hearing_cancelled(ref: str) -> str:
    return f"The hearing of case {ref} is cancelled. The family was told; no more reminders."


def email_subject(ref: str, language: str, urgent: bool, reminder: bool) -> str:
    prefix = "Still unclaimed" if reminder else "New case"
    return f"[Hotline] {prefix} {ref} ({language}{', URGENT' if urgent else ''})"
