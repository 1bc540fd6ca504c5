"""Twilio's side of sending: the SDK's HTTP client with a timeout and another API host, and the
transport that sends through it.

Loaded only where messages are sent (the outbox worker, `hotline serve`): the Twilio SDK and
requests cost a web worker about 5 MiB it never uses.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .messages_api import (
    ConnectTimeoutError,
    HTTPError,
    MessagesApi,
    ReadTimeoutError,
    messages_api_for,
)
from .transports import Accepted, Outgoing, SendError

_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?::\d+)?", re.IGNORECASE)


class HotlineHttpClient(TwilioHttpClient):
    """Twilio's HTTP client with a timeout, quiet logs, and an optional other API host.

    `base_url` (TWILIO_API_BASE_URL) replaces https://*.twilio.com in every request, for the
    fake Twilio server in tests and benchmarks. Nothing is logged: URLs and answers carry
    phone numbers.
    """

    def __init__(self, base_url: str = "", timeout: float = 15.0, connections: int = 10) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        # Keep-alive connections for every send in flight at once (HOTLINE_SEND_CONCURRENCY).
        self.connections = max(10, connections)
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=self.connections)
        self.session.mount("https://", adapter)  # type: ignore[union-attr]
        self.session.mount("http://", adapter)  # type: ignore[union-attr]
        # requests reads the proxy settings from the environment on every request, a good
        # share of a send's cost: read them once (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE).
        target = self.base_url or "https://api.twilio.com"
        self.proxy = requests.utils.get_environ_proxies(target)
        self.session.trust_env = False  # type: ignore[union-attr]
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.session.verify = bundle  # type: ignore[union-attr]

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        if self.base_url:
            url = _TWILIO_HOST.sub(self.base_url, url, count=1)
        return super().request(method, url, *args, **kwargs)

    def log_request(self, kwargs: dict[str, Any]) -> None:
        pass

    def log_response(self, status_code: int, response: Any) -> None:
        pass


def _connect_failed(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc.args[0]) if exc.args else ""
    return isinstance(exc, requests.ConnectionError) and (
        "NewConnectionError" in text or "NameResolutionError" in text
    )


class TwilioTransport:
    """Sends to Twilio's Messages resource: one client and connection pool per worker.

    Sends go through `MessagesApi` (kept-alive connections, a fraction of the SDK's CPU) when
    the client is built on HotlineHttpClient, else through the SDK; look-ups and erasures use
    the SDK.
    """

    needs_sender = True
    FORM = (("To", "to"), ("From", "from_"), ("MessagingServiceSid", "messaging_service_sid"),
            ("Body", "body"), ("ContentSid", "content_sid"),
            ("ContentVariables", "content_variables"), ("StatusCallback", "status_callback"))

    def __init__(self, client: Client, api: MessagesApi | None = None) -> None:
        self.client = client
        self.api = api or messages_api_for(client)

    def send(self, message: Outgoing) -> Accepted:
        if self.api is None:
            return self._send_through_sdk(message)
        form = {name: value for name, field in self.FORM if (value := getattr(message, field))}
        try:
            status, answer = self.api.create(form)
        except ConnectTimeoutError:  # also a refused connection or an unknown host
            raise SendError("network error") from None
        except ReadTimeoutError:
            raise SendError("timed out", ambiguous=True) from None
        except HTTPError:
            raise SendError("network error", ambiguous=True) from None
        except Exception as exc:  # an unreadable answer: Twilio may have taken the message
            raise SendError(f"unexpected {type(exc).__name__}", ambiguous=True) from None
        answer = answer or {}
        if 200 <= status < 300:
            if not isinstance(answer.get("sid"), str):
                raise SendError("unexpected answer", ambiguous=True)
            return Accepted(answer["sid"])
        code = answer.get("code")
        raise SendError(f"Twilio answered {status}", http_status=status,
                        code=code if isinstance(code, int) else None)

    def _send_through_sdk(self, message: Outgoing) -> Accepted:
        params: dict[str, Any] = {"to": message.to}
        for name in ("body", "from_", "messaging_service_sid", "content_sid",
                     "content_variables", "status_callback"):
            value = getattr(message, name)
            if value:
                params[name] = value
        try:
            created = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio answered {exc.status}", http_status=exc.status, code=exc.code
            ) from None
        except requests.RequestException as exc:
            timeout = isinstance(exc, requests.Timeout) and not isinstance(
                exc, requests.ConnectTimeout
            )
            raise SendError(
                "timed out" if timeout else "network error", ambiguous=not _connect_failed(exc)
            ) from None
        except Exception as exc:  # an unreadable answer: Twilio may have taken the message
            raise SendError(f"unexpected {type(exc).__name__}", ambiguous=True) from None
        return Accepted(created.sid)

    def find(self, message: Outgoing, since: datetime) -> list[str]:
        """Sids of messages Twilio holds that match this one, sent since `since`, oldest first."""
        if not message.body:
            return []  # a template's text is Twilio's; nothing to recognise it by
        try:
            found = self.client.messages.list(to=message.to, limit=50)
        except TwilioRestException as exc:
            raise SendError(
                f"Twilio answered {exc.status}", http_status=exc.status, code=exc.code
            ) from None
        except requests.RequestException:
            raise SendError("network error while checking", ambiguous=True) from None
        sids = []
        for item in found:
            created = item.date_created
            if created is not None and created < since:
                continue
            if item.body != message.body or not str(item.direction or "").startswith("outbound"):
                continue
            if message.from_ and item.from_ and item.from_ != message.from_:
                continue
            sids.append((created or since, item.sid))
        return [sid for _, sid in sorted(sids)]


    def erase(self, sid: str) -> str:
        """Delete a message and its media at Twilio: "erased" (also when already gone)."""
        message = self.client.messages(sid)
        try:
            for media in message.media.list():
                media.delete()
            message.delete()
        except TwilioRestException as exc:
            status, code = exc.status, exc.code
        except TwilioException as exc:  # a list page Twilio refused: its answer is args[1]
            status = getattr(exc.args[1] if len(exc.args) > 1 else None, "status_code", None)
            code = None
        except requests.RequestException:
            raise SendError("network error") from None
        except Exception as exc:  # an unreadable answer: try again later
            raise SendError(f"unexpected {type(exc).__name__}") from None
        else:
            return "erased"
        if status == 404:
            return "erased"  # deleted before, or never stored there
        raise SendError(f"Twilio answered {status}", http_status=status, code=code)
