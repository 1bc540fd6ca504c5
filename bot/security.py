"""The web's defences in one place: proxies, the peer's address, NUL bytes, media, headers.

- `X-Forwarded-*` headers are trusted only from the number of proxies `HOTLINE_PROXIES` names
  (0 by default): anyone can send the header, only a proxy in front makes it true.
- A NUL byte in a path, a query or a form never reaches SQL (PostgreSQL refuses it in text):
  the request gets a 400, except in the free-text fields a view names with `nul_allowed`,
  which it strips itself (a family's message is kept, minus the NUL).
- A file a family sent becomes a link only on Twilio's media hosts over https
  (`HOTLINE_MEDIA_HOSTS`); anything else (`javascript:`, another site) is shown as text.
- Every answer carries the same security headers, added by one `after_request` hook from
  strings built once at start: the webhook pays a dictionary update, nothing more.
- Twilio's webhooks (`/twilio/…`) get no cookie session: Twilio keeps no cookie, so one would
  only be opened and signed for nothing on every message.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

if TYPE_CHECKING:
    from .config import Settings

INVALID_ADDRESS = "invalid"
NUL = "\x00"
F = TypeVar("F", bound=Callable[..., Any])

# Only the app's own files: no inline script or style, no frames, forms only to the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF checks the Referer of every form posted over
    # HTTPS, and other sites learn nothing (no case reference leaves in a Referer).
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
WEBHOOKS = "/twilio/"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except on Twilio's webhooks, which get a null session
    (reading it finds nothing; writing to it is an error, as it would be a bug)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(WEBHOOKS):
            return None
        return super().open_session(app, request)


def init_app(app: Flask, settings: Settings) -> None:
    """Trust the configured proxies, refuse NUL bytes, add the headers to every answer."""
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n
        )
    app.session_interface = SessionInterface()
    app.before_request(_refuse_nul)
    headers = dict(HEADERS)
    if settings.production:
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(headers)
        if request.endpoint != "static":
            # Pages, exports and TwiML replies carry personal data: never kept in any cache.
            response.headers["Cache-Control"] = "no-store"
        return response


# --------------------------------------------------------------------------- addresses
def peer_address() -> str:
    """The client's address, as the trusted proxies report it; never a raw header.

    With `HOTLINE_PROXIES=0` this is the TCP peer. Anything that is not an IP address (a
    proxy passing garbage on) is "invalid", so no text of a stranger's choosing is stored.
    """
    return valid_address(request.remote_addr)


def valid_address(value: str | None) -> str:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return INVALID_ADDRESS


# --------------------------------------------------------------------------- NUL bytes
def nul_allowed(*fields: str) -> Callable[[F], F]:
    """Let these form fields carry NUL bytes into the view, which strips them itself."""

    def mark(view: F) -> F:
        view.nul_allowed = frozenset(fields)  # type: ignore[attr-defined]
        return view

    return mark


def _has_nul(fields: Iterable[tuple[str, list[str]]], allowed: frozenset[str]) -> bool:
    return any(
        NUL in name or (name not in allowed and any(NUL in value for value in values))
        for name, values in fields
    )


def _refuse_nul() -> tuple[str, int] | None:
    if NUL in request.path:
        return _nul_refused()
    if request.query_string and _has_nul(request.args.lists(), frozenset()):
        return _nul_refused()
    if request.method in ("POST", "PUT", "PATCH") and request.form:
        view = current_app.view_functions.get(request.endpoint or "")
        if _has_nul(request.form.lists(), getattr(view, "nul_allowed", frozenset())):
            return _nul_refused()
    return None


def _nul_refused() -> tuple[str, int]:
    return "The request holds a character the hotline does not accept (a NUL byte).", 400


# --------------------------------------------------------------------------- media links
def is_media_url(url: str, hosts: Iterable[str]) -> bool:
    """True for an https address on one of Twilio's media hosts: only those become links."""
    if not isinstance(url, str) or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and not parts.username
        and not parts.password
        and port in (None, 443)
        and (parts.hostname or "") in hosts
    )
