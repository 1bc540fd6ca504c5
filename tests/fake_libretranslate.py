"""A fake LibreTranslate server on loopback, for tests: a real HTTP server in a thread.

It speaks the part of LibreTranslate's API the hotline uses:

- ``GET /languages``: ``[{"code", "name", "targets"}]`` for the languages given at construction.
- ``POST /translate`` (JSON): ``q`` a text or a list of texts, ``source``, ``target``,
  ``format``, ``api_key``. With an ``api_key`` set, a missing or wrong key is refused with 403
  ``{"error": ...}``, as LibreTranslate does; a pair it does not offer gets 400. A text is
  "translated" from the phrasebook, else marked with its target: ``"[es] Hello"``.

Faults, for the unhappy paths: ``down()`` closes the server; ``hold()`` keeps every answer
back until ``release()`` (a slow server, without a test that waits on the clock);
``fail_with(status)`` answers every request with that HTTP error. Every request is counted in
:attr:`calls` (``(method, path)``), and the texts asked for in :attr:`texts`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "vi": "Vietnamese",
    "zh-Hans": "Chinese", "zh-Hant": "Chinese (traditional)", "ko": "Korean", "ar": "Arabic",
    "tl": "Tagalog", "ht": "Haitian Creole",
}
PHRASEBOOK = {
    ("es", "en", "Se llevaron a mi esposo esta mañana en el trabajo"):
        "They took my husband this morning at work",
    ("es", "en", "¿Cuándo me van a llamar?"): "When are you going to call me?",
    ("en", "es", "I will call you in ten minutes."): "Le voy a llamar en diez minutos.",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeLibreTranslate:
    """Start with ``with FakeLibreTranslate(languages=("en", "es")) as fake:``."""

    def __init__(self, languages: tuple[str, ...] = ("en", "es"), api_key: str = ""):
        self.languages = languages
        self.api_key = api_key
        self.calls: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self.status: int | None = None
        self._released = threading.Event()
        self._released.set()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._up = True

    def __enter__(self) -> FakeLibreTranslate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.down()

    # ------------------------------------------------------------------ faults
    def down(self) -> None:
        """Nothing listens any more: connections are refused."""
        if self._up:
            self._up = False
            self._server.shutdown()
            self._server.server_close()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def fail_with(self, status: int | None) -> None:
        self.status = status

    def translate_calls(self) -> int:
        return sum(1 for _, path in self.calls if path == "/translate")

    # ------------------------------------------------------------------ the API
    def translate(self, text: str, source: str, target: str) -> str:
        return PHRASEBOOK.get((source, target, text), f"[{target}] {text}")

    def _answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if self.status is not None:
            return self.status, {"error": "Injected failure"}
        if method == "GET" and path == "/languages":
            return 200, [
                {"code": code, "name": NAMES.get(code, code),
                 "targets": [other for other in self.languages if other != code]}
                for code in self.languages
            ]
        if method != "POST" or path != "/translate":
            return 404, {"error": "Not found"}
        if self.api_key and body.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        if not q or not source or not target:
            return 400, {"error": "Invalid request: missing q, source or target parameter"}
        if source not in self.languages or target not in self.languages or source == target:
            return 400, {"error": f"{target} is not available as a target language from {source}"}
        texts = q if isinstance(q, list) else [q]
        with self._lock:
            self.texts += texts
        done = [self.translate(str(text), source, target) for text in texts]
        return 200, {"translatedText": done if isinstance(q, list) else done[0]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # never log what was sent
                pass

            def _serve(self, method: str) -> None:
                path = self.path.split("?", 1)[0]
                with fake._lock:
                    fake.calls.append((method, path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                fake._released.wait()
                status, answer = fake._answer(method, path, body if isinstance(body, dict) else {})
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler
