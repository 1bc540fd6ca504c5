"""The first contact and the language menu: a turn's steps until the texter has a language.

A mixin of the turn (turn.py): these methods use its replies, effects and moves.
"""

from __future__ import annotations

from .choices import first_mentioned, match_choice, match_keyword
from .flows import State
from .snapshot import Reply
from .text import fold, has_cjk

SENTENCE_WORDS = 3  # a message this long at the language menu is read for its language


class LanguageMenu:
    """First contact, choosing a language (by number, name or a whole sentence), switching."""

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
        if offered and (
            match_keyword(self.text, self.engine.all_words("common.yes")) or self.names(offered)
        ):
            choice = offered
        else:
            choice = match_choice(self.text, options, typos_inside=False)
        if not choice:
            return False
        self.snap.locale = choice
        return True

    def names(self, code: str) -> bool:
        """A word or two that belong to the offered language ("ayuda" after "¿Español?"):
        the person is writing in it, which answers the question."""
        if len(self.text.split()) >= SENTENCE_WORDS:
            return False  # a sentence: read_sentence weighs it
        return self.engine.detect(self.text)[0] == code

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
        order = list(self.snap.data.get("language_order") or self.engine.catalog.codes)
        order.remove(code)
        self.snap.data["language_order"] = [code, *order]
        self.snap.data["offered"] = code
        self.snap.data.pop("misunderstood", None)
        self.ask_language()
        return "offered"

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
