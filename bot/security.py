"""The web's defences in one place: trusted proxies and the peer's address.

- `X-Forwarded-*` headers are trusted only from the number of proxies `HOTLINE_PROXIES` names
  (0 by default): anyone can send the header, only a proxy in front makes it true.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from flask import Flask, request

if TYPE_CHECKING:
    from .config import Settings

INVALID_ADDRESS = "invalid"


def init_app(app: Flask, settings: Settings) -> None:
    """Trust forwarded headers only from the proxies the settings name."""
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n
        )


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
