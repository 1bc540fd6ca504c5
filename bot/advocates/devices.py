"""Known devices: a signed cookie, set at a successful login, that a lockout does not reach.

Five wrong passwords lock an account for fifteen minutes, which would let a stranger who
knows an advocate's email lock them out during a shift. A browser where the advocate has
logged in before carries this cookie; its attempts are counted on a counter of their own
(throttle.Keys.device), so the stranger's failures elsewhere do not block it, while that
browser is still held to the same limit. The cookie names the advocate and a random device
id, signed with HOTLINE_SECRET_KEY: it proves nothing but "this advocate logged in here".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "hotline_device"
PRODUCTION_COOKIE = "__Host-hotline-device"  # Secure, Path=/, no Domain
LIFETIME_DAYS = 180
_SALT = "hotline-known-device"


@dataclass(frozen=True)
class Device:
    advocate_id: int
    device_id: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def _secure() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def _name() -> str:
    return PRODUCTION_COOKIE if _secure() else COOKIE


def known_device() -> Device | None:
    """The device this request comes from, when its cookie is genuine and not too old."""
    value = request.cookies.get(_name())
    if not value or len(value) > 512:
        return None
    try:
        data = _serializer().loads(value, max_age=LIFETIME_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    advocate_id, device_id = data.get("a"), data.get("d")
    if not isinstance(advocate_id, int) or not isinstance(device_id, str) or not device_id:
        return None
    return Device(advocate_id, device_id)


def remember(response: Response, advocate_id: int, device: Device | None) -> None:
    """After a successful login: this browser is a known device of this advocate."""
    same = device is not None and device.advocate_id == advocate_id
    device_id = device.device_id if same and device else secrets.token_urlsafe(16)
    value = _serializer().dumps({"a": advocate_id, "d": device_id})
    response.set_cookie(
        _name(),
        value,
        max_age=LIFETIME_DAYS * 86400,
        path="/",
        secure=_secure(),
        httponly=True,
        samesite="Lax",
    )
