"""The organization's news: ALERTS and ALERTS OFF, and the optional question after a case.

A mixin of the turn (turn.py): these methods use its replies, effects and moves.
"""

from __future__ import annotations


class News:
    """Asking for news and stopping it; what becomes of the question asked after a case."""

    def news_keyword(self) -> bool:
        """ALERTS or ALERTS OFF anywhere in the flow: done, then the question again."""
        if not self.alerts_keyword():
            return False
        if self.at_news_question():
            self.leave_news_question()  # the keyword answered it
            self.say("common.menu_hint")  # type: ignore[attr-defined]
        else:
            self.ask_again()  # type: ignore[attr-defined]
        return True

    def alerts_keyword(self) -> bool:
        """ALERTS asks for the organization's news; ALERTS OFF stops it."""
        for name, on in (("alerts_off", False), ("alerts", True)):
            if self.keyword(name):  # type: ignore[attr-defined]
                self.effect("alerts", on=on)  # type: ignore[attr-defined]
                self.say("alerts.on" if on else "alerts.off")  # type: ignore[attr-defined]
                return True
        return False

    def at_news_question(self) -> bool:
        """Whether the conversation waits on the optional question asked after a case."""
        return self.snap.state == self.flow.roles.get("after_case")  # type: ignore[attr-defined]

    def pass_news_question(self) -> bool:
        """Not an answer to the optional question: it never blocks; the menu reads the text."""
        if not self.at_news_question():
            return False
        self.leave_news_question()
        self.answer()  # type: ignore[attr-defined]
        return True

    def leave_news_question(self) -> None:
        """Answered by a keyword, or a day went by: on to the menu, without asking again."""
        self.snap.state = self.flow.role("menu")  # type: ignore[attr-defined]
