"""The conversation engine: a snapshot and an inbound text in; new snapshot, replies, effects out.

Pure: no web framework, no database, no Twilio. Everything it needs arrives as arguments.
One Engine serves every conversation of a process; each message is one Turn (turn.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .flows import Flow, State
from .i18n import Catalog
from .snapshot import Effect, Inbound, Reply, Snapshot, StepResult
from .text import fold
from .turn import Turn

__all__ = ["Effect", "Engine", "Inbound", "Reply", "Snapshot", "StepResult"]


Detector = Callable[[str], "tuple[str | None, bool]"]


def _no_detection(text: str) -> tuple[str | None, bool]:
    return None, False


class Engine:
    """Runs one flow with one catalog; shared by every conversation of a process."""

    def __init__(
        self,
        flow: Flow,
        catalog: Catalog,
        *,
        detect: Detector = _no_detection,
        idle_after: timedelta = timedelta(hours=24),
    ):
        self.flow = flow
        self.catalog = catalog
        self.detect = detect
        self.idle_after = idle_after
        self._init_caches()

    # ------------------------------------------------------------------ entry point
    def step(self, snapshot: Snapshot, inbound: Inbound) -> StepResult:
        """Advance one conversation by one inbound message."""
        # The caller's snapshot stays as it was: the turn works on a copy.
        copied = Snapshot(
            state=snapshot.state,
            locale=snapshot.locale,
            answers=_copy(snapshot.answers),
            data=_copy(snapshot.data),
            last_active=snapshot.last_active,
        )
        turn = Turn(self, copied, inbound)
        turn.run()
        turn.snap.last_active = inbound.now
        return StepResult(turn.snap, turn.replies, turn.effects)

    def render(self, result: StepResult, params: dict[str, Any]) -> list[str]:
        """The replies of a step as the texter reads them, one string per part."""
        locale = result.snapshot.locale
        return [
            self.catalog.render(reply.key, reply.locale or locale, {**params, **reply.params})
            for reply in result.replies
        ]

    # ------------------------------------------------------------------ helpers used by turns
    def words(self, key: str, locale: str | None) -> list[str]:
        return self.catalog.words(key, [locale])

    def all_words(self, key: str) -> list[str]:
        return self.catalog.words(key, self.catalog.codes)

    def _init_caches(self) -> None:
        self._language_options = self._build_language_options()
        # What a language's name looks like folded, for switching mid-conversation.
        self.language_names = {
            code: frozenset(fold(w) for w in words if len(fold(w)) > 2)
            for code, words in self._language_options.items()
        }
        self.language_by_name = {
            fold(w): code
            for code, words in reversed(list(self._language_options.items()))
            for w in words
            if fold(w)
        }
        self._choice_options: dict[tuple[str, str | None], dict[str, list[str]]] = {}
        self._understanding: dict[tuple[str, str | None], list[tuple[str, list[str]]]] = {}

    def language_options(self) -> dict[str, list[str]]:
        """Each locale is chosen by its own name, its English name, its code or its own words."""
        return self._language_options

    def _build_language_options(self) -> dict[str, list[str]]:
        options = {}
        for code, loc in self.catalog.locales.items():
            # Only the locale's own words: English's "english, inglés" must not pick Spanish.
            own = [w.strip() for w in loc.messages.get("language.words", "").split(",")]
            options[code] = [loc.native, loc.name, code, *(w for w in own if w)]
        return options

    def understanding(self, state: State, locale: str | None) -> list[tuple[str, list[str]]]:
        """A state's `understand` choices in order, with their words in one language (and
        English), or in every language when the language is not known yet (locale None)."""
        key = (state.name, locale)
        cached = self._understanding.get(key)
        if cached is None:
            locales = [locale] if locale else self.catalog.codes
            cached = [
                (choice_id, self.catalog.words(state.choice(choice_id).words or "", locales))
                for choice_id in state.understand
            ]
            self._understanding[key] = cached
        return cached

    def choice_options(self, state: State, locale: str | None) -> dict[str, list[str]]:
        """A question's options and the phrases that pick each, built once per language."""
        cached = self._choice_options.get((state.name, locale))
        if cached is None:
            cached = {}
            for choice in state.choices:
                words = [str(choice.number), *choice.match]
                for key in (choice.words, choice.label):
                    if key:
                        words += self.catalog.words(key, [locale])
                cached[choice.id] = words
            self._choice_options[(state.name, locale)] = cached
        return cached


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): what a snapshot holds."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
