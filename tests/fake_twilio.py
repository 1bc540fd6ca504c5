"""A fake Twilio REST server for tests and benchmarks.

It speaks enough of Twilio's 2010-04-01 Messages resource that the real ``twilio`` SDK talks to
it unmodified, once the SDK's HTTP client rewrites ``https://api.twilio.com`` to the fake's
``base_url`` (see :func:`twilio_client_for`)::

    with FakeTwilio() as fake:
        client = twilio_client_for(fake.base_url, fake.account_sid, fake.auth_token)
        client.messages.create(to="+15550100001", from_="+15550100000", body="hola")
        assert fake.messages[0]["body"] == "hola"

What it does, in the order a POST to ``/2010-04-01/Accounts/{AccountSid}/Messages.json`` is
checked:

1. HTTP basic auth against the account sid / auth token given at construction (401, code 20003),
   and the account sid in the path must be that account (404, code 20404).
2. ``delay_next``: the request hangs before it is answered (the message is still accepted
   afterwards, as Twilio may well have sent a message whose API call timed out).
3. ``fail_next``, then ``fail_ratio``: injected failures.
4. Validation like Twilio's: To missing (21604) or not E.164 (21211), neither From nor
   MessagingServiceSid (21603), neither Body nor MediaUrl nor ContentSid (21602), body over 1600
   characters (21617), a WhatsApp sender with a non-WhatsApp recipient or the reverse (21910).
5. ``fail_to``: every POST to that exact ``To`` value fails with the given Twilio error.
6. Otherwise 201 with a message resource shaped like Twilio's; status ``queued``, or
   ``accepted`` when only a MessagingServiceSid was given (as Twilio does).

Injected failures count only authenticated POSTs to the Messages resource.  Every request,
failed or not, is recorded in :attr:`FakeTwilio.requests`; accepted messages in
:attr:`FakeTwilio.messages`.  ``GET .../Messages.json`` lists them (newest first, like Twilio)
and ``GET .../Messages/{sid}.json`` fetches one.  The server never logs anything.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hmac
import json
import random
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

API_VERSION = "2010-04-01"

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_MESSAGE_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
_MEDIA_LIST_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)/Media\.json$"
)
_MEDIA_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)/Media/(?P<media>[^/]+)\.json$"
)
_E164 = re.compile(r"^(whatsapp:)?\+[1-9]\d{6,14}$")
_TWILIO_HOST = re.compile(r"^https://(?:[a-z0-9-]+\.)*twilio\.com(?::\d+)?", re.IGNORECASE)

# Default Twilio error code and message for an injected failure given only an HTTP status.
_STATUS_ERRORS = {
    400: (20001, "Bad Request"),
    401: (20003, "Authenticate"),
    403: (20403, "Forbidden"),
    404: (20404, "The requested resource was not found"),
    405: (20004, "Method not allowed"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    502: (20502, "Bad Gateway"),
    503: (20503, "Service Unavailable"),
}

# GSM 03.38 basic character set, and the extension table (each of those costs two septets).
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


def twilio_error(status: int, code: int | None = None, message: str = "") -> dict[str, Any]:
    """A Twilio REST error body: ``{"code", "message", "more_info", "status"}``."""
    default_code, default_message = _STATUS_ERRORS.get(status, (20000 + status, "Error"))
    code = default_code if code is None else code
    return {
        "code": code,
        "message": message or default_message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def num_segments(body: str) -> int:
    """How many SMS segments Twilio would bill for ``body`` (GSM-7 or UCS-2)."""
    if not body:
        return 1
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in body):
        septets = sum(2 if c in _GSM7_EXTENSION else 1 for c in body)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def _rfc2822(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=False).replace("-0000", "+0000")


class FakeHostHttpClient(TwilioHttpClient):
    """A ``TwilioHttpClient`` that sends every ``https://*.twilio.com`` request to ``base_url``."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[override]
        return super().request(
            method, _TWILIO_HOST.sub(self.base_url, url, count=1), *args, **kwargs
        )


def twilio_client_for(
    base_url: str, account_sid: str, auth_token: str, timeout: float | None = None
) -> Client:
    """A real ``twilio.rest.Client`` whose requests go to ``base_url`` instead of Twilio."""
    return Client(
        account_sid, auth_token, http_client=FakeHostHttpClient(base_url, timeout=timeout)
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class FakeTwilio:
    """A fake Twilio Messages API on 127.0.0.1 (random free port), served from a thread."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token"):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._messages: list[dict[str, Any]] = []
        self._requests: list[dict[str, Any]] = []
        self._deleted: list[str] = []  # sids of messages and media deleted through the API
        self._reset_rules()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-twilio",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes requests held by delay_next
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, timeout: float | None = None) -> Client:
        """A real twilio ``Client`` pointed at this server with its credentials."""
        return twilio_client_for(self.base_url, self.account_sid, self.auth_token, timeout)

    # -- what was received -------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every accepted message, oldest first (a snapshot).

        Each is the JSON resource the API answered (``sid``, ``to``, ``from``, ``body``, ...)
        plus the request's ``status_callback``, ``media_url`` (list), ``content_sid`` and
        ``content_variables``.
        """
        with self._lock:
            return [_copy_message(m) for m in self._messages]

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request received, oldest first (a snapshot): ``method``, ``path``, ``query``,
        ``headers``, ``form`` (name -> list of values), ``status`` answered and ``time``."""
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def deleted(self) -> list[str]:
        """Sids of the messages and media deleted through the API, in order (a snapshot)."""
        with self._lock:
            return list(self._deleted)

    def inbound(self, from_: str, to: str, body: str = "", media: int = 0) -> tuple[str, list[str]]:
        """A message a phone sent to the account, as Twilio stores it before the webhook:
        returns its sid and the URLs of its ``media`` files (to put in the webhook's form)."""
        with self._lock:
            sid = "SM" + secrets.token_hex(16)
            now = _rfc2822(time.time())
            base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
            items = ["ME" + secrets.token_hex(16) for _ in range(media)]
            self._messages.append({
                "account_sid": self.account_sid, "api_version": API_VERSION, "body": body,
                "date_created": now, "date_sent": now, "date_updated": now,
                "direction": "inbound", "error_code": None, "error_message": None,
                "from": from_, "messaging_service_sid": None, "num_media": str(media),
                "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid,
                "status": "received", "subresource_uris": {"media": f"{base}/Media.json"},
                "to": to, "uri": f"{base}.json", "status_callback": None, "media_url": [],
                "content_sid": None, "content_variables": None, "media": items,
            })
        return sid, [f"https://api.twilio.com{base}/Media/{item}" for item in items]

    def fail_deletes(self, n: int, status: int = 500, code: int | None = None) -> None:
        """The next ``n`` DELETEs fail with this HTTP status and Twilio error."""
        with self._lock:
            self._fail_deletes.extend([twilio_error(status, code)] * n)

    def message(self, sid: str) -> dict[str, Any]:
        with self._lock:
            for m in self._messages:
                if m["sid"] == sid:
                    return _copy_message(m)
        raise KeyError(sid)

    # -- behaviour ---------------------------------------------------------------------------

    def fail_next(
        self, n: int, status: int = 500, code: int | None = None, message: str = ""
    ) -> None:
        """The next ``n`` POSTs fail with this HTTP status and Twilio error."""
        with self._lock:
            self._fail_next.extend([twilio_error(status, code, message)] * n)

    def fail_ratio(self, ratio: float, status: int = 500, seed: int = 0) -> None:
        """From now on, a pseudo-random ``ratio`` share of POSTs fail with ``status``.

        Deterministic: the same seed and the same sequence of POSTs give the same failures.
        ``fail_ratio(0)`` turns it off.
        """
        if not 0.0 <= ratio <= 1.0:
            raise ValueError("ratio must be between 0 and 1")
        with self._lock:
            self._ratio = ratio
            self._ratio_error = twilio_error(status)
            self._ratio_rng = random.Random(seed)

    def fail_to(self, to: str, status: int, code: int, message: str = "") -> None:
        """Every POST whose ``To`` is exactly ``to`` fails with this Twilio error, e.g.
        400/21610 (recipient opted out), 400/21211 (invalid number), 400/63016 (outside the
        WhatsApp 24-hour window), 400/63014 (blocked by the recipient)."""
        with self._lock:
            self._fail_to[to] = twilio_error(status, code, message)

    def delay_next(self, n: int, seconds: float) -> None:
        """The next ``n`` POSTs wait ``seconds`` before being handled and answered."""
        with self._lock:
            self._delays.extend([seconds] * n)

    def reset(self) -> None:
        """Forget received messages and requests and every injected behaviour."""
        with self._lock:
            self._messages.clear()
            self._requests.clear()
            self._reset_rules()

    def _reset_rules(self) -> None:
        self._fail_next: list[dict[str, Any]] = []
        self._fail_deletes: list[dict[str, Any]] = []
        self._fail_to: dict[str, dict[str, Any]] = {}
        self._delays: list[float] = []
        self._ratio = 0.0
        self._ratio_error = twilio_error(500)
        self._ratio_rng = random.Random(0)

    # -- status callbacks --------------------------------------------------------------------

    def callback(
        self, sid: str, status: str, error_code: int | None = None, timeout: float = 10.0
    ) -> int:
        """POST a Twilio-style status callback for stored message ``sid`` to its
        StatusCallback URL, signed with X-Twilio-Signature.  Updates the stored message's
        status and error_code, and returns the HTTP status the callback URL answered."""
        with self._lock:
            msg = next((m for m in self._messages if m["sid"] == sid), None)
            if msg is None:
                raise KeyError(sid)
            url = msg.get("status_callback")
            if not url:
                raise ValueError(f"message {sid} has no StatusCallback")
            msg["status"] = status
            msg["error_code"] = error_code
            msg["date_updated"] = _rfc2822(time.time())
            if status in ("sent", "delivered", "read") and msg["date_sent"] is None:
                msg["date_sent"] = msg["date_updated"]
            params = {
                "AccountSid": self.account_sid,
                "ApiVersion": API_VERSION,
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "To": msg["to"],
                "From": msg["from"] or "",
            }
            if msg.get("messaging_service_sid"):
                params["MessagingServiceSid"] = msg["messaging_service_sid"]
            if error_code is not None:
                params["ErrorCode"] = str(error_code)
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "User-Agent": "TwilioProxy/1.1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code

    # -- request handling (runs in server threads) -------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes
            server_version = "FakeTwilio/1.0"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # never log: requests carry phone numbers and message bodies

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        return Handler

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        record: dict[str, Any] = {
            "method": method,
            "path": parsed.path,
            "query": urllib.parse.parse_qs(parsed.query, keep_blank_values=True),
            "headers": dict(handler.headers.items()),
            "form": form,
            "status": None,
            "time": time.time(),
        }
        with self._lock:
            self._requests.append(record)
        try:
            status, payload = self._respond(handler, method, parsed, form)
        except Exception:  # a bug in the fake must not hang the client
            status, payload = 500, twilio_error(500)
        with self._lock:
            record["status"] = status
        body = b"" if status == 204 else json.dumps(payload).encode()  # 204: no content
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Twilio-Request-Id", "RQ" + secrets.token_hex(16))
            if status == 429:
                handler.send_header("Retry-After", "1")
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (e.g. its timeout fired)

    def _respond(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        parsed: urllib.parse.SplitResult,
        form: dict[str, list[str]],
    ) -> tuple[int, dict[str, Any]]:
        many = _MESSAGES_PATH.match(parsed.path)
        one = _MESSAGE_PATH.match(parsed.path)
        media = _MEDIA_LIST_PATH.match(parsed.path) or _MEDIA_PATH.match(parsed.path)
        if not (many or one or media):
            return 404, _not_found(parsed.path)
        if not self._authorized(handler.headers.get("Authorization")):
            return 401, twilio_error(401, 20003, "Authenticate")
        account = (many or one or media).group("account")  # type: ignore[union-attr]
        if account != self.account_sid:
            return 404, _not_found(parsed.path)
        if media or (one and method == "DELETE"):
            return self._media_or_delete(method, parsed.path, (one or media).groupdict())  # type: ignore[union-attr]
        if one:
            if method != "GET":
                return 405, twilio_error(405)
            try:
                return 200, _resource(self.message(one.group("sid")))
            except KeyError:
                return 404, _not_found(parsed.path)
        if method == "GET":
            return 200, self._list(parsed)
        if method != "POST":
            return 405, twilio_error(405)
        return self._create(form)

    def _media_or_delete(
        self, method: str, path: str, names: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """DELETE a message or one of its media, or GET the list of a message's media."""
        with self._lock:
            if method == "DELETE" and self._fail_deletes:
                error = self._fail_deletes.pop(0)
                return error["status"], error
            message = next((m for m in self._messages if m["sid"] == names["sid"]), None)
            if message is None:
                return 404, _not_found(path)
            items = message.setdefault("media", [])
            if names.get("media") is None and method == "DELETE":
                self._messages.remove(message)
                self._deleted.append(message["sid"])
                return 204, {}
            if names.get("media") is None and method == "GET":
                base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{names['sid']}"
                listed = [
                    {"sid": item, "account_sid": self.account_sid, "parent_sid": names["sid"],
                     "content_type": "image/jpeg", "uri": f"{base}/Media/{item}.json"}
                    for item in items
                ]
                uri = f"{base}/Media.json?PageSize=50&Page=0"
                return 200, {"media_list": listed, "first_page_uri": uri, "next_page_uri": None,
                             "page": 0, "page_size": 50, "previous_page_uri": None, "uri": uri}
            if method != "DELETE" or names["media"] not in items:
                return (405, twilio_error(405)) if method != "DELETE" else (404, _not_found(path))
            items.remove(names["media"])
            self._deleted.append(names["media"])
            return 204, {}

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )

    def _create(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            delay = self._delays.pop(0) if self._delays else 0.0
        if delay:
            self._stopping.wait(delay)
        with self._lock:
            if self._fail_next:
                error = self._fail_next.pop(0)
                return error["status"], error
            if self._ratio and self._ratio_rng.random() < self._ratio:
                return self._ratio_error["status"], dict(self._ratio_error)

        def field(name: str) -> str:
            values = form.get(name)
            return values[-1] if values else ""

        to, from_, service = field("To"), field("From"), field("MessagingServiceSid")
        body, content_sid = field("Body"), field("ContentSid")
        media = [u for u in form.get("MediaUrl", []) if u]
        if not to:
            return 400, twilio_error(400, 21604, "A 'To' phone number is required.")
        if not _E164.match(to):
            return 400, twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not from_ and not service:
            return 400, twilio_error(
                400,
                21603,
                "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
            )
        if not body and not media and not content_sid:
            return 400, twilio_error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return 400, twilio_error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if from_ and from_.startswith("whatsapp:") != to.startswith("whatsapp:"):
            return 400, twilio_error(
                400, 21910, "Invalid From and To pair. From and To should be of the same channel"
            )

        with self._lock:
            error = self._fail_to.get(to)
            if error is not None:
                return error["status"], dict(error)
            now = _rfc2822(time.time())
            sid = "SM" + secrets.token_hex(16)
            uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
            message = {
                "account_sid": self.account_sid,
                "api_version": API_VERSION,
                "body": body,
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": from_ or None,
                "messaging_service_sid": service or None,
                "num_media": str(len(media)),
                "num_segments": "1" if to.startswith("whatsapp:") else str(num_segments(body)),
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued" if from_ else "accepted",
                "subresource_uris": {
                    "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
                },
                "to": to,
                "uri": uri,
                # not part of Twilio's answer: what the request asked for
                "status_callback": field("StatusCallback") or None,
                "media_url": media,
                "content_sid": content_sid or None,
                "content_variables": field("ContentVariables") or None,
            }
            self._messages.append(message)
            return 201, _resource(message)

    def _list(self, parsed: urllib.parse.SplitResult) -> dict[str, Any]:
        query = urllib.parse.parse_qs(parsed.query)
        to = query.get("To", [None])[-1]
        from_ = query.get("From", [None])[-1]
        try:
            page_size = max(1, min(1000, int(query.get("PageSize", ["50"])[-1])))
        except ValueError:
            page_size = 50
        with self._lock:
            found = [
                _resource(m)
                for m in reversed(self._messages)
                if (to is None or m["to"] == to) and (from_ is None or m["from"] == from_)
            ]
        page = found[:page_size]
        uri = (
            f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json?PageSize={page_size}&Page=0"
        )
        return {
            "messages": page,
            "end": max(0, len(page) - 1),
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }


_EXTRA_KEYS = ("status_callback", "media_url", "content_sid", "content_variables", "media")


def _not_found(path: str) -> dict[str, Any]:
    return twilio_error(404, 20404, f"The requested resource {path} was not found")


def _resource(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k not in _EXTRA_KEYS}


def _copy_message(message: dict[str, Any]) -> dict[str, Any]:
    copy = dict(message)
    copy["media_url"] = list(message["media_url"])
    copy["media"] = list(message.get("media", []))
    copy["subresource_uris"] = dict(message["subresource_uris"])
    return copy
