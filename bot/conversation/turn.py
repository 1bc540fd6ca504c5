"""One turn of a conversation: the work of one inbound message, thrown away afterwards."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Protocol

from .choices import first_mentioned, match_choice, match_keyword
from .dates import parse_date
from .flows import Choice, Flow, State
from .formats import format_date_long, format_phone
from .i18n import SOURCE, Catalog
from .identifiers import parse_a_number, parse_phone
from .keywords import Keywords
from .language_menu import LanguageMenu
from .news import News
from .review import review_lines
from .snapshot import Effect, Inbound, Reply, Snapshot
from .text import clean, fold
from .zipcodes import parse_zip


class Engine(Protocol):
    """What a turn uses of the engine (engine.py): flow, catalog, detection and cached words."""

    flow: Flow
    catalog: Catalog
    idle_after: timedelta
    language_names: dict[str, frozenset[str]]
    language_by_name: dict[str, str]

    def detect(self, text: str) -> tuple[str | None, bool]: ...
    def words(self, key: str, locale: str | None) -> list[str]: ...
    def all_words(self, key: str) -> list[str]: ...
    def language_options(self) -> dict[str, list[str]]: ...
    def choice_options(self, state: State, locale: str | None) -> dict[str, list[str]]: ...
    def understanding(self, state: State, locale: str | None) -> list[tuple[str, list[str]]]: ...

# Words a person might type for these, in every locale (see locales/*.yaml, keywords.*).
KEYWORDS = ("stop", "start", "help", "menu", "agent", "delete", "back", "skip", "status_check",
            "alerts", "alerts_off", "referrals")
MISUNDERSTOOD_BEFORE_HINT = 2
# Words that join numbers in "1 y 3", "1和3", "1이랑 3", "1번 3번": ignored between numbers.
CONNECTORS = frozenset(
    "y e and et at va và ou or و 和 跟 与 與 及 还有 還有 이랑 랑 하고 과 와 번 또는 saka".split()
)
# Twilio answers these opt-out words itself on SMS (and blocks any reply to them).
TWILIO_STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})



class Turn(Keywords, LanguageMenu, News):
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

    # -------------------------------------------------------------- idle
    def idle(self) -> bool:
        last = self.snap.last_active
        if last is None or self.inbound.now - last < self.engine.idle_after:
            return False
        quiet_states = {self.flow.role(r) for r in ("language", "menu", "resume")}
        if self.snap.state in quiet_states:
            return False
        if self.at_news_question():
            self.leave_news_question()
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
        # The whole message must be an option: "no estoy seguro" contains "no", yet skips.
        options = self.choice_options(state).values() if state.choices else ()
        return any(match_keyword(self.text, words) for words in options)

    def misunderstood(self, state: State) -> None:
        if self.pass_news_question():
            return
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

    def expect_none(self, state: State) -> bool:
        self.advance(state, "answered")
        return True

    def choice_options(self, state: State) -> dict[str, list[str]]:
        return self.engine.choice_options(state, self.locale)

    def expect_choice(self, state: State) -> bool:
        picked = match_choice(self.text, self.choice_options(state))
        if picked is None and state.understand:
            # A sentence, not an option: what does the person need?
            # Whole words only: match_choice has just tried these words with typos.
            understanding = self.engine.understanding(state, self.locale)
            picked = first_mentioned(self.text, understanding, typos=False)
        if picked is None:
            return False
        # Words, not a number, told us what happened: say we heard it.
        understood = bool(state.understand) and not self.by_number(state)
        self.pick(state, state.choice(picked), understood=understood)
        return True

    def by_number(self, state: State) -> bool:
        numbers = {c.id: [str(c.number)] for c in state.choices}
        return match_choice(self.text, numbers) is not None

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
        if effect == "alerts_on":
            self.effect("alerts", on=True)
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

    def expect_zip(self, state: State) -> bool:
        return self.accept(state, parse_zip(self.text))

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
        self.effect("referrals", separate=True)  # the card follows the confirmation, on its own
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

    def review_lines(self) -> str:
        return review_lines(self.flow, self.engine.catalog, self.snap.answers, self.locale)
