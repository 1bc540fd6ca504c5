"""Whole-message keywords that work anywhere in the flow: HELP, MENU, AGENT, DELETE, STATUS,
REFERRALS, ALERTS, a language's name; and what the bot still answers while an advocate holds
the case.

A mixin of the turn (turn.py): these methods use its replies, effects and moves.
"""

from __future__ import annotations


class Keywords:
    """The keywords a texter may send at any question."""

    def while_held(self) -> None:
        """An advocate holds the case: the bot keeps quiet except for HELP, DELETE, the lookups
        (STATUS, REFERRALS) and news on or off; everything else goes to the advocate."""
        if self.keyword("help"):  # type: ignore[attr-defined]
            self.say("help.text")  # type: ignore[attr-defined]
        elif self.keyword("delete"):  # type: ignore[attr-defined]
            self.goto_delete()
        elif self.lookup_keyword():
            return
        elif self.alerts_keyword():  # type: ignore[attr-defined]
            return  # news on or off: nothing for the advocate to read
        elif self.snap.state == self.flow.role("delete"):  # type: ignore[attr-defined]
            self.answer()  # type: ignore[attr-defined]
        else:
            self.effect("relay")  # type: ignore[attr-defined]

    def global_keyword(self) -> bool:
        flow = self.flow  # type: ignore[attr-defined]
        if self.keyword("help"):  # type: ignore[attr-defined]
            self.say("help.text")  # type: ignore[attr-defined]
            self.ask_again()  # type: ignore[attr-defined]
            return True
        if self.keyword("menu"):  # type: ignore[attr-defined]
            self.goto(flow.role("menu"))  # type: ignore[attr-defined]
            return True
        if self.keyword("agent"):  # type: ignore[attr-defined]
            self.effect("open_case", kind="agent", urgent=self.urgent())  # type: ignore[attr-defined]
            self.say("agent.requested")  # type: ignore[attr-defined]
            self.ask_again()  # type: ignore[attr-defined]
            return True
        if self.lookup_keyword():
            self.ask_again()  # type: ignore[attr-defined]
            return True
        if self.keyword("delete"):  # type: ignore[attr-defined]
            if self.snap.state == flow.role("delete"):  # type: ignore[attr-defined]
                self.run_choice_effect("erase")  # type: ignore[attr-defined]  # DELETE again at "are you sure?" is a yes
            else:
                self.goto_delete()
            return True
        if self.news_keyword():  # type: ignore[attr-defined]
            return True
        state = self.snap.state  # type: ignore[attr-defined]
        return state != flow.role("language") and self.switch_language()  # type: ignore[attr-defined]

    def lookup_keyword(self) -> bool:
        """STATUS and REFERRALS: answers the service fills in from the database."""
        if self.keyword("status_check"):  # type: ignore[attr-defined]
            # Where the case stands: the service puts it here, before the question again.
            self.effect("case_status", at=len(self.replies))  # type: ignore[attr-defined]
            return True
        if self.keyword("referrals"):  # type: ignore[attr-defined]
            self.effect("referrals")  # type: ignore[attr-defined]  # {resources} from resources/
            self.say("referrals.card")  # type: ignore[attr-defined]
            return True
        return False

    def goto_delete(self) -> None:
        delete = self.flow.role("delete")  # type: ignore[attr-defined]
        if self.snap.state != delete:  # type: ignore[attr-defined]
            self.snap.data["return_to"] = self.snap.state  # type: ignore[attr-defined]
        self.goto(delete)  # type: ignore[attr-defined]
