"""Twilio addresses ("+1555…", "whatsapp:+1555…"): the channel each names, and its bare number."""

from __future__ import annotations


def channel_of(address: str) -> str:
    return "whatsapp" if address.lower().startswith("whatsapp:") else "sms"


def phone_of(address: str) -> str:
    """The bare number of a Twilio address: 'whatsapp:+1555…' → '+1555…'."""
    if ":" in address:
        address = address.split(":", 1)[1]
    return "".join(address.split())
