"""A client for LibreTranslate, the self-hosted translation server (its HTTP API).

POST /translate takes {"q", "source", "target", "format", "api_key"}; `q` may be a list,
answered by a list of "translatedText" in the same order. GET /languages lists
[{"code", "name", "targets"}]. Errors are {"error": "..."} with 400 (bad request, a pair the
server cannot translate), 403 (a wrong or missing API key), 429 (slow down) or 500.

Every call has a short timeout. After a failure the client stays quiet for a while
(`QUIET_AFTER_FAILURE`), so a down or slow server costs one timeout, not one per page view.
The text sent and received is never logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import requests

from . import DOWN, ERROR, SAME, TIMEOUT, UNSUPPORTED, Translation, Unavailable
from .codes import server_code

log = logging.getLogger(__name__)
LANGUAGES_KEPT = 600.0  # seconds a server's list of languages is trusted
QUIET_AFTER_FAILURE = 30.0  # seconds without calls after the server failed
MAX_TEXTS = 50  # texts in one request


class LibreTranslate:
    """Translations from a LibreTranslate server the hotline's operator runs."""

    enabled = True

    def __init__(
        self,
        url: str,
        *,
        api_key: str = "",
        timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._languages: dict[str, frozenset[str]] = {}
        self._languages_at: float | None = None
        self._failed: tuple[float, str] | None = None

    # ------------------------------------------------------------------ the interface
    def translate(self, text: str, source: str, target: str) -> Translation | Unavailable:
        found = self.translate_all([text], source, target)
        return found if isinstance(found, Unavailable) else found[0]

    def translate_all(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[Translation] | Unavailable:
        """Each text translated, in order, in one request; or why not."""
        if source == target:
            return Unavailable(SAME)
        if not texts:
            return []
        pair = self._pair(source, target)
        if isinstance(pair, Unavailable):
            return pair
        answer = self._call("POST", "/translate", {
            "q": list(texts[:MAX_TEXTS]), "source": pair[0], "target": pair[1],
            "format": "text", **({"api_key": self.api_key} if self.api_key else {}),
        })
        if isinstance(answer, Unavailable):
            return answer
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts[:MAX_TEXTS]):
            return self._failure(ERROR, "translate answered without a list of the same length")
        if not all(isinstance(text, str) for text in translated):
            return self._failure(ERROR, "translate answered something other than text")
        return [Translation(text) for text in translated]

    def languages(self) -> Mapping[str, frozenset[str]]:
        """What the server offers (its codes): source → targets; empty when it cannot say."""
        with self._lock:
            fresh = self._languages_at is not None and (
                self.clock() - self._languages_at < LANGUAGES_KEPT
            )
            if fresh:
                return self._languages
        answer = self._call("GET", "/languages", None)
        if isinstance(answer, Unavailable):
            return {}
        try:
            offered = {
                str(item["code"]): frozenset(str(code) for code in item.get("targets") or ())
                for item in answer
            }
        except (TypeError, KeyError, AttributeError):
            self._failure(ERROR, "languages answered in an unknown shape")
            return {}
        with self._lock:
            self._languages, self._languages_at = offered, self.clock()
        return offered

    # ------------------------------------------------------------------ the rest
    def _pair(self, source: str, target: str) -> tuple[str, str] | Unavailable:
        quiet = self._quiet()
        if quiet is not None:
            return Unavailable(quiet)
        offered = self.languages()
        if not offered:
            return Unavailable(self._quiet() or DOWN)
        code_from = server_code(source, offered)
        code_to = server_code(target, offered.get(code_from or "", ()))
        if code_from is None or code_to is None:
            return Unavailable(UNSUPPORTED)
        return code_from, code_to

    def _quiet(self) -> str | None:
        """The reason of a recent failure, while the client waits before trying again."""
        with self._lock:
            if self._failed is None:
                return None
            at, reason = self._failed
            if self.clock() - at >= QUIET_AFTER_FAILURE:
                self._failed = None
                return None
            return reason

    def _failure(self, reason: str, what: str) -> Unavailable:
        log.warning("machine translation unavailable: %s (%s)", reason, what)
        with self._lock:
            self._failed = (self.clock(), reason)
        return Unavailable(reason)

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        try:
            response = requests.request(
                method, self.url + path, json=body, timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.Timeout:
            return self._failure(TIMEOUT, f"{path} took longer than {self.timeout} s")
        except requests.RequestException as exc:
            return self._failure(DOWN, f"{path}: {type(exc).__name__}")
        if response.status_code == 400 and path == "/translate":
            # The server refused this pair or this text; other pairs may still work.
            log.info("machine translation refused a request: 400")
            return Unavailable(UNSUPPORTED)
        if response.status_code != 200:
            return self._failure(ERROR, f"{path} answered {response.status_code}")
        try:
            return response.json()
        except ValueError:
            return self._failure(ERROR, f"{path} answered something other than JSON")
