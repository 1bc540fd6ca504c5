"""The conversation engine: a snapshot and an inbound text in; new snapshot, replies, effects out.

Pure: no web framework, no database, no Twilio. Everything it needs arrives as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .choices import first_mentioned, match_choice, match_keyword
from .dates import parse_date
from .flows import Choice, Flow, State
from .formats import format_a_number, format_date_long, format_phone
from .i18n import SOURCE, Catalog
from .identifiers import parse_a_number, parse_phone
from .text import clean, fold, has_cjk

# Words a person might type for these, in every locale (see locales/*.yaml, keywords.*).
KEYWORDS = ("stop", "start", "help", "menu", "agent", "delete", "back", "skip")
MISUNDERSTOOD_BEFORE_HINT = 2
SENTENCE_WORDS = 3  # a message this long at the language menu is read for its language
# Words that join numbers in "1 y 3", "1和3", "1이랑 3", "1번 3번": ignored between numbers.
CONNECTORS = frozenset(
    "y e and et at va và ou or و 和 跟 与 與 及 还有 還有 이랑 랑 하고 과 와 번 또는 saka".split()
)
# Twilio answers these opt-out words itself on SMS (and blocks any reply to them).
TWILIO_STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})


@dataclass
class Snapshot:
    """Everything the engine remembers about one conversation between two messages."""

    state: str | None = None
    locale: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    last_active: datetime | None = None


@dataclass(frozen=True)
class Inbound:
    """One message from a texter, as the engine sees it."""

    text: str
    now: datetime
    media: tuple[str, ...] = ()
    channel: str = "sms"
    sender: str | None = None


@dataclass(frozen=True)
class Reply:
    """A message part to send back: a locale key, its parameters, and its language when it
    is not the conversation's (the offer of a guessed language is written in that language)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None


@dataclass(frozen=True)
class Effect:
    """Something the world outside the engine must do: open a case, erase data, opt out…"""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepResult:
    snapshot: Snapshot
    replies: list[Reply]
    effects: list[Effect]


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
        turn = _Turn(self, copied, inbound)
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


class _Turn:
    """The work of one step: mutable state for one message, thrown away afterwards."""

    def __init__(self, engine: Engine, snap: Snapshot, inbound: Inbound):
        self.engine = engine
        self.flow = engine.flow
        self.snap = snap
        self.inbound = inbound
        self.text = clean(inbound.text)
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.answers_changed = False

    # -------------------------------------------------------------- small utilities
    @property
    def locale(self) -> str | None:
        return self.snap.locale

    @property
    def state(self) -> State | None:
        return self.flow.states.get(self.snap.state or "")

    def say(self, key: str, **params: Any) -> None:
        self.replies.append(Reply(key, params))

    def effect(self, effect_kind: str, /, **data: Any) -> None:
        self.effects.append(Effect(effect_kind, data))

    def keyword(self, name: str) -> bool:
        """The whole message is this keyword, in the conversation's language or English."""
        if not self.text:
            return False
        return match_keyword(self.text, self.engine.words(f"keywords.{name}", self.locale))

    def any_locale_keyword(self, name: str) -> bool:
        return bool(self.text) and match_keyword(
            self.text, self.engine.all_words(f"keywords.{name}")
        )

    # -------------------------------------------------------------- the turn
    def run(self) -> None:
        self.turn()
        if self.answers_changed and self.snap.data.get("case_open"):
            # An urgent case is already with the advocates: each answer updates it.
            self.effect("case_answers", answers=dict(self.snap.answers))

    def turn(self) -> None:
        data = self.snap.data
        # STOP and START work in any language, before anything else: Twilio honours them too.
        if self.any_locale_keyword("stop"):
            self.stop()
            return
        if data.get("opted_out"):
            if self.any_locale_keyword("start"):
                self.start_again()
            return
        if self.inbound.media:
            self.effect("media", urls=list(self.inbound.media))
        if data.get("held"):
            self.while_held()
            return
        if self.snap.state is None or self.state is None:
            self.first_contact()
            return
        if self.global_keyword():
            return
        if self.idle():
            return
        if self.inbound.media and not self.text:
            self.say("media.received")
            self.ask_again()
            return
        self.answer()

    def stop(self) -> None:
        self.snap.data["opted_out"] = True
        self.effect("opt_out")
        # Twilio confirms its own English opt-out words on SMS and blocks any reply to them;
        # for WhatsApp, and for the words of other languages, the hotline says it once.
        if self.inbound.channel == "whatsapp" or fold(self.text) not in TWILIO_STOP_WORDS:
            self.say("stop.confirm")

    def start_again(self) -> None:
        self.snap.data.pop("opted_out", None)
        self.effect("opt_in")
        self.say("start.welcome_back")
        if self.snap.state is None:
            self.first_contact()
        else:
            self.ask_again()

    def while_held(self) -> None:
        """An advocate holds the case: the bot keeps quiet except for HELP and DELETE."""
        if self.keyword("help"):
            self.say("help.text")
        elif self.keyword("delete"):
            self.goto_delete()
        elif self.snap.state == self.flow.role("delete"):
            self.answer()
        else:
            self.effect("relay")

    # -------------------------------------------------------------- first contact
    def first_contact(self) -> None:
        self.snap.state = self.flow.role("language")
        self.snap.answers = {}
        chosen = self.named_language()
        if chosen:
            # The very first text is a language's name: take it at its word.
            self.snap.locale = chosen
            self.say("welcome.intro")
            self.enter(self.flow.move(self.snap.state, "answered"), remember=False)
            return
        code, confident = self.engine.detect(self.text) if self.text else (None, False)
        if code not in self.engine.catalog.locales:
            code, confident = None, False
        order = list(self.engine.catalog.codes)
        if code:
            # Offer the guess first, but the texter confirms it: a greeting like "hola"
            # is too short to be sure, and a wrong language loses a frightened person.
            order.remove(code)
            order.insert(0, code)
        self.snap.data["language_order"] = order
        self.snap.data["offered"] = code
        self.snap.locale = code if confident else None
        self.remember_need()
        self.say("welcome.intro")
        self.ask_language()

    def remember_need(self) -> None:
        """What a sentence says the texter needs ("ICE took my husband"), in any language,
        kept until a language is chosen: the menu's `understand` choices, whole words only."""
        menu = self.flow.states[self.flow.role("menu")]
        need = first_mentioned(self.text, self.engine.understanding(menu, None), typos=False)
        if need:
            self.snap.data["need"] = need

    def named_language(self) -> str | None:
        """A first text that is just a language's name or code ("Español", "es")."""
        return self.engine.language_by_name.get(fold(self.text))

    def ask_language(self) -> None:
        order = self.snap.data.get("language_order") or self.engine.catalog.codes
        offered = self.snap.data.get("offered")
        if offered:
            self.replies.append(Reply("language.offer", locale=offered))
        options = "\n".join(
            f"{n} {self.engine.catalog.locales[code].native}" for n, code in enumerate(order, 1)
        )
        self.say("language.menu", options=options)

    def choose_language(self) -> bool:
        order = self.snap.data.get("language_order") or self.engine.catalog.codes
        options = {code: [str(n)] for n, code in enumerate(order, 1)}
        for code, words in self.engine.language_options().items():
            options.setdefault(code, []).extend(words)
        offered = self.snap.data.get("offered")
        if offered and match_keyword(self.text, self.engine.all_words("common.yes")):
            choice = offered
        else:
            choice = match_choice(self.text, options, typos_inside=False)
        if not choice:
            return False
        self.snap.locale = choice
        return True

    def read_sentence(self) -> str | None:
        """A sentence instead of a number at the language menu: its language is the answer
        when the guess is sure ("chosen"), and is offered first when it is not ("offered")."""
        if len(self.text.split()) < SENTENCE_WORDS and not has_cjk(self.text):
            return None
        self.remember_need()
        code, confident = self.engine.detect(self.text)
        if code not in self.engine.catalog.locales:
            return None
        if confident:
            self.snap.locale = code
            return "chosen"
        order = [c for c in self.snap.data.get("language_order") or self.engine.catalog.codes]
        order.remove(code)
        self.snap.data["language_order"] = [code, *order]
        self.snap.data["offered"] = code
        self.snap.data.pop("misunderstood", None)
        self.ask_language()
        return "offered"

    # -------------------------------------------------------------- keywords
    def global_keyword(self) -> bool:
        flow = self.flow
        if self.keyword("help"):
            self.say("help.text")
            self.ask_again()
            return True
        if self.keyword("menu"):
            self.goto(flow.role("menu"))
            return True
        if self.keyword("agent"):
            self.effect("open_case", kind="agent", urgent=self.urgent())
            self.say("agent.requested")
            self.ask_again()
            return True
        if self.keyword("delete"):
            if self.snap.state == flow.role("delete"):
                self.run_choice_effect("erase")  # DELETE again at "are you sure?" is a yes
            else:
                self.goto_delete()
            return True
        if self.snap.state != flow.role("language") and self.switch_language():
            return True
        return False

    def switch_language(self) -> bool:
        """A language's own name alone switches the language and keeps every answer."""
        state = self.state
        if state is None or not state.switch_language:
            return False  # e.g. "which language should we call you in?": an answer
        if state.choices and match_choice(self.text, self.choice_options(state)):
            return False  # an answer to the question comes first
        # Exact names only, never two-letter codes: "ko" is Vietnamese for "no", and
        # "Korea" is a country of birth, not a typo for "Korean".
        folded = fold(self.text)
        for code, names in self.engine.language_names.items():
            if folded in names:
                self.snap.locale = code
                self.say("language.switched")
                self.ask_again()
                return True
        return False

    def goto_delete(self) -> None:
        delete = self.flow.role("delete")
        if self.snap.state != delete:
            self.snap.data["return_to"] = self.snap.state
        self.goto(delete)

    # -------------------------------------------------------------- idle
    def idle(self) -> bool:
        last = self.snap.last_active
        if last is None or self.inbound.now - last < self.engine.idle_after:
            return False
        quiet_states = {self.flow.role(r) for r in ("language", "menu", "resume")}
        if self.snap.state in quiet_states:
            return False
        self.snap.data["return_to"] = self.snap.state
        self.goto(self.flow.role("resume"))
        return True

    # -------------------------------------------------------------- answering the current state
    def answer(self) -> None:
        state = self.state
        assert state is not None
        if state.expect not in ("language", "review", "none") and self.keyword("back"):
            self.back()
            return
        if state.skip and self.keyword("skip") and not self.is_a_choice(state):
            self.save(state, None)
            self.advance(state, "answered")
            return
        handler = getattr(self, f"expect_{state.expect}")
        if not handler(state):
            self.misunderstood(state)
            return
        self.snap.data.pop("misunderstood", None)

    def is_a_choice(self, state: State) -> bool:
        """"Not sure" is an option of some questions, and a way to skip others."""
        if not state.choices:
            return False
        return match_choice(self.text, self.choice_options(state)) is not None

    def misunderstood(self, state: State) -> None:
        count = self.snap.data.get("misunderstood", 0) + 1
        self.snap.data["misunderstood"] = count
        if not self.text and not self.inbound.media:
            self.say("common.empty")
        else:
            self.say("common.not_understood")
        if count >= MISUNDERSTOOD_BEFORE_HINT:
            # Twice lost: a person first. The long menu again would not help.
            self.say("common.agent_hint")
            if state.name == self.flow.role("menu"):
                return
        elif state.skip:
            self.say("common.can_skip")
        self.ask_again()

    def expect_language(self, state: State) -> bool:
        if not self.choose_language():
            read = self.read_sentence()
            if read is None:
                return False
            if read == "offered":
                return True  # to be confirmed: the language menu was sent again
        self.snap.data.pop("offered", None)
        need = self.snap.data.pop("need", None)
        if self.snap.data.get("return_to"):
            self.say("language.switched")
            self.goto(self.snap.data.pop("return_to"))
        elif need:
            self.follow_need(need)
        else:
            self.advance(state, "answered")
        return True

    def follow_need(self, need: str) -> None:
        """Go where the first text asked to go, as if the menu choice had been picked."""
        menu = self.flow.states[self.flow.role("menu")]
        self.snap.state = menu.name
        self.pick(menu, menu.choice(need), understood=True)

    def expect_none(self, state: State) -> bool:
        self.advance(state, "answered")
        return True

    def choice_options(self, state: State) -> dict[str, list[str]]:
        return self.engine.choice_options(state, self.locale)

    def expect_choice(self, state: State) -> bool:
        picked = match_choice(self.text, self.choice_options(state))
        understood = False
        if picked is None and state.understand:
            # A sentence, not an option: what does the person need?
            picked = first_mentioned(self.text, self.engine.understanding(state, self.locale))
            understood = picked is not None
        if picked is None:
            return False
        self.pick(state, state.choice(picked), understood=understood)
        return True

    def pick(self, state: State, choice: Choice, *, understood: bool = False) -> None:
        """Take a choice: acknowledge a need read from a sentence, save, do its effect, move."""
        if understood and choice.understood:
            self.say(choice.understood)
        self.save(state, choice.id)
        if choice.effect and self.run_choice_effect(choice.effect):
            return
        self.advance(state, f"chose_{choice.id}")

    def run_choice_effect(self, effect: str) -> bool:
        """Do what a choice does beyond moving on; True when it already moved the conversation."""
        data = self.snap.data
        if effect == "agent":
            self.effect("open_case", kind="agent", urgent=self.urgent())
            return False
        if effect == "urgent_case":
            # The fast lane: advocates hear of the case now; the other questions are optional.
            self.effect("open_case", kind="intake", urgent=True, answers=dict(self.snap.answers))
            data["case_open"] = True
            self.answers_changed = False
            self.say("case.urgent_opened")
            return False
        if effect == "forget":
            # No consent: what was stored goes; the conversation (and its language) stays.
            self.effect("forget")
            self.snap.answers = {}
            for key in ("media", "case_open", "need"):
                data.pop(key, None)
            self.answers_changed = False
            return False
        if effect == "restart":
            self.snap.answers = {}
            data.pop("return_to", None)
            return False
        if effect == "erase":
            self.effect("erase")
            self.snap.state = None
            self.snap.answers = {}
            self.snap.data = {}
            self.say("delete.done")
            return True
        if effect == "restore":
            target = data.pop("return_to", None) or self.flow.role("menu")
            self.say("common.continuing")
            self.goto(target)
            return True
        pending = data.pop("pending", None) or {}
        data.pop("return_to", None)
        if effect == "confirm" and pending:
            target = self.flow.states[pending["state"]]
            self.save(target, pending["value"])
            self.snap.state = target.name
            self.advance(target, "answered")
            return True
        if effect == "reject" and pending:
            self.goto(pending["state"])
            return True
        raise ValueError(f"unknown choice effect '{effect}'")

    def expect_multi(self, state: State) -> bool:
        """Several options at once: "1 3", "1, 3 y 5", "1、3", "1번 3번", or their words."""
        folded = fold(self.text)
        by_number = {str(c.number): c.id for c in state.choices}
        numbers = re.findall(r"\d+", folded)
        leftover = [w for w in re.split(r"[\W\d_]+", folded) if w and w not in CONNECTORS]
        if numbers and not leftover:
            if any(n.lstrip("0") not in by_number for n in numbers):
                return False
            picked = [by_number[n.lstrip("0")] for n in numbers]
        else:
            options = self.choice_options(state)
            parts = re.split(r"[,;/+&\n，、،]|\s(?:y|e|and|et|at|va|và|و)\s", self.text)
            picked = []
            for part in parts:
                if not part.strip():
                    continue
                found = match_choice(part, options)
                if found is None:
                    return False
                picked.append(found)
        return self.accept(state, list(dict.fromkeys(picked)) or None)

    def accept(self, state: State, value: Any) -> bool:
        """Save a parsed answer and move on; a value of None means it was not understood."""
        if value is None:
            return False
        self.save(state, value)
        self.advance(state, "answered")
        return True

    def expect_text(self, state: State) -> bool:
        return self.accept(state, self.text or None)

    def expect_anumber(self, state: State) -> bool:
        return self.accept(state, parse_a_number(self.text))

    def expect_phone(self, state: State) -> bool:
        use_own = match_keyword(self.text, self.engine.words("common.yes", self.locale))
        if (use_own or self.text == "1") and self.inbound.sender:
            return self.accept(state, parse_phone(self.inbound.sender))
        return self.accept(state, parse_phone(self.text))

    def expect_date(self, state: State) -> bool:
        parsed = parse_date(self.text, self.locale or SOURCE, self.inbound.now.date())
        if parsed is None:
            return False
        if not parsed.certain:
            self.snap.data["pending"] = {"state": state.name, "value": parsed.value.isoformat()}
            self.snap.data["return_to"] = state.name
            self.goto(self.flow.role("confirm"), date=self.format_date(parsed.value))
            return True
        return self.accept(state, parsed.value.isoformat())

    def expect_review(self, state: State) -> bool:
        edit = self.edit_number()
        if edit is not None:
            asked = self.flow.asked(self.snap.answers)  # numbered as the texter saw them
            if not 1 <= edit <= len(asked):
                return False
            self.snap.data["editing"] = True
            self.goto(asked[edit - 1])
            return True
        if match_keyword(self.text, self.engine.words("review.send", self.locale)):
            self.submit(state)
            return True
        return False

    def edit_number(self) -> int | None:
        words = "|".join(
            re.escape(fold(w)) for w in self.engine.words("review.edit", self.locale)
        )
        match = re.fullmatch(rf"(?:{words})?\s*#?(\d{{1,2}})", fold(self.text))
        return int(match.group(1)) if match else None

    # -------------------------------------------------------------- moving and saving
    def save(self, state: State, value: Any) -> None:
        if state.save:
            self.snap.answers[state.save] = value
            self.answers_changed = True

    def urgent(self) -> bool:
        """Urgent when any question marked urgent_if got one of its listed answers."""
        for state in self.flow.states.values():
            if state.save and state.urgent_if:
                value = self.snap.answers.get(state.save)
                if value in state.urgent_if:
                    return True
        return False

    def submit(self, state: State) -> None:
        kind = state.submit or "intake"
        self.effect("open_case", kind=kind, urgent=self.urgent(), answers=dict(self.snap.answers))
        self.snap.data["submitted"] = True
        self.snap.data.pop("case_open", None)
        self.answers_changed = False
        self.advance(state, "answered")

    def back(self) -> None:
        history: list[str] = self.snap.data.get("history", [])
        target = history.pop() if history else self.flow.role("menu")
        self.snap.data["history"] = history
        self.enter(target, remember=False)

    def advance(self, state: State, trigger: str) -> None:
        """Follow the flow from a state; after an edit, go back to the review."""
        if self.snap.data.pop("editing", False) and state.name in self.flow.review:
            target = self.flow.role("review")
            if trigger.startswith("chose_"):
                dest = self.flow.move(state.name, trigger)
                if dest in self.flow.review and dest != state.name:
                    self.snap.data["editing"] = True
                    target = dest
            self.enter(target)
            return
        self.enter(self.flow.move(state.name, trigger))

    def goto(self, name: str, **params: Any) -> None:
        self.snap.state = self.flow.move(self.snap.state or self.flow.start, f"to_{name}")
        self.enter(name, remember=False, **params)

    def enter(self, name: str, remember: bool = True, **params: Any) -> None:
        """Arrive in a state: say what it says, ask what it asks, or pass through it."""
        previous = self.snap.state
        history: list[str] = self.snap.data.setdefault("history", [])
        if remember and previous and previous != name and self.flow.states[previous].ask:
            history.append(previous)
            del history[:-20]
        self.snap.state = name
        state = self.flow.states[name]
        if name == self.flow.role("menu"):
            self.snap.data["history"] = []
        for key in state.say:
            self.say(key, **params)
        if state.expect == "none":
            target = self.flow.move(name, "answered")
            if state.quiet:
                self.snap.state = target
            else:
                self.enter(target, remember=False)
            return
        self.ask(state, **params)

    def ask_again(self) -> None:
        state = self.state
        if state is None:
            return
        if state.name == self.flow.role("confirm"):  # "did you mean {date}?" needs its date
            value = (self.snap.data.get("pending") or {}).get("value")
            self.ask(state, date=self.format_date(date.fromisoformat(value)) if value else "")
        else:
            self.ask(state)

    def ask(self, state: State, **params: Any) -> None:
        if state.expect == "language":
            self.ask_language()
            return
        if state.expect == "review":
            self.say("review.intro", answers=self.review_lines())
        if state.ask:
            if state.expect == "phone" and self.inbound.sender:
                params.setdefault("number", format_phone(self.inbound.sender))
            self.say(state.ask, **params)

    # -------------------------------------------------------------- presenting answers
    def format_date(self, value: date) -> str:
        return format_date_long(value, self.locale)

    def display(self, state: State, value: Any) -> str:
        catalog = self.engine.catalog
        if value is None:
            return catalog.render("review.skipped", self.locale)
        if state.expect in ("choice", "multi"):
            values = value if isinstance(value, list) else [value]
            labels = []
            for choice_id in values:
                try:
                    choice = state.choice(choice_id)
                except KeyError:
                    labels.append(str(choice_id))
                    continue
                key = choice.label or choice.words
                labels.append(catalog.render(key, self.locale) if key else choice.id)
            return ", ".join(labels)
        if state.expect == "date":
            try:
                return self.format_date(date.fromisoformat(value))
            except (TypeError, ValueError):
                return str(value)
        if state.expect == "phone":
            return format_phone(value)
        if state.expect == "anumber":
            return format_a_number(value)
        return str(value)

    def review_lines(self) -> str:
        """Every question asked, numbered without gaps for EDIT n; a skipped one says so."""
        catalog = self.engine.catalog
        lines = []
        for number, name in enumerate(self.flow.asked(self.snap.answers), 1):
            state = self.flow.states[name]
            value = self.snap.answers.get(state.save or "")
            label = catalog.render(state.label, self.locale) if state.label else name
            lines.append(f"{number}. {label}: {self.display(state, value)}")
        return "\n".join(lines) or catalog.render("review.skipped", self.locale)


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): what a snapshot holds."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
