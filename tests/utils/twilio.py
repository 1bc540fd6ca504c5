"""Signed Twilio webhook posts for tests, computed with Twilio's own RequestValidator."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from twilio.request_validator import RequestValidator

DEFAULT_SENDER = "+15555550101"
HOTLINE_NUMBER = "+15555550100"
_counter = itertools.count(1)


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


def inbound_form(
    body: str = "",
    sender: str = DEFAULT_SENDER,
    sid: str | None = None,
    media: tuple[str, ...] = (),
    to: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The form Twilio posts for an incoming SMS or WhatsApp message."""
    whatsapp = sender.startswith("whatsapp:")
    form = {
        "MessageSid": sid or new_sid(),
        "SmsMessageSid": sid or "",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to or (f"whatsapp:{HOTLINE_NUMBER}" if whatsapp else HOTLINE_NUMBER),
        "Body": body,
        "NumMedia": str(len(media)),
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    for n, url in enumerate(media):
        form[f"MediaUrl{n}"] = url
        form[f"MediaContentType{n}"] = "image/jpeg"
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


class TwilioSender:
    """Acts as Twilio: signs each form with the auth token and posts it to the webhook."""

    def __init__(self, client: Any, token: str, base_url: str):
        self.client = client
        self.validator = RequestValidator(token)
        self.base_url = base_url

    def sign(self, path: str, form: dict[str, str]) -> str:
        return self.validator.compute_signature(self.base_url + path, form)

    def post(self, path: str, form: dict[str, str], signature: str | None = None) -> Any:
        headers = {"X-Twilio-Signature": self.sign(path, form) if signature is None else signature}
        return self.client.post(path, data=form, headers=headers)

    def send(self, body: str = "", **kwargs: Any) -> Any:
        """Text the hotline; returns the HTTP response (TwiML)."""
        return self.post("/twilio/messages", inbound_form(body, **kwargs))

    def text(self, body: str = "", **kwargs: Any) -> str:
        """Text the hotline and return the reply as one string (every <Message> joined)."""
        response = self.send(body, **kwargs)
        assert response.status_code == 200, response.data
        return replies_text(response.data)


def replies(twiml: bytes) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(twiml)
    return [el.text or "" for el in root.iter("Message")]


def replies_text(twiml: bytes) -> str:
    return "\n\n".join(replies(twiml))
