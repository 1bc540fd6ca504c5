"""A case page, its export and its summary show that case's messages only.

A family whose case was closed and who asks for help again gets a new case: the advocate of
the new case does not read the closed case's replies, and the advocate who closed the old case
does not read the family's new messages through it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.storage.models import Case
from tests.test_inbox import ana, other_browser, team  # noqa: F401  (fixtures)
from tests.utils.advocates import (
    Clock,
    Inbox,
    case_of,
    cli,
    open_agent_case,
    ref_in,
    rows,
    use_clock,
)

pytestmark = pytest.mark.usefixtures("fast_passwords")
OLD_REPLY = "About your first case: the lawyer Maria can see you Friday"
OLD_STORY = "my brother was taken from the bus station"
NEW_STORY = "now my cousin was detained at the clinic"


def _second_case(twilio, inbox):  # type: ignore[no-untyped-def]
    """Ana claims, replies and closes a first case; the family then opens a second one."""
    first = open_agent_case(twilio)
    inbox.act(first, "reply", body=OLD_REPLY)
    twilio.text(OLD_STORY)
    inbox.act(first, "close")
    twilio.text(NEW_STORY)
    second = ref_in(twilio.text("AGENT"))
    assert second != first
    return first, second


def test_the_next_advocate_does_not_read_the_closed_cases_messages(app, twilio, ana):  # noqa: F811
    first, second = _second_case(twilio, ana)
    ben = other_browser(app, "ben@example.org")
    page = ben.page(f"/inbox/cases/{second}")
    assert NEW_STORY in page
    assert OLD_REPLY not in page and OLD_STORY not in page
    assert f"Your advocate closed case {first}" not in page
    # The earlier case is named but not linked for Ben, who may not open it.
    assert first in page and f'href="/inbox/cases/{first}"' not in page
    assert ben.get(f"/inbox/cases/{first}").status_code == 403
    ben.act(second, "claim")
    export = ben.get(f"/inbox/cases/{second}/export").get_data(as_text=True)
    assert NEW_STORY in export and OLD_REPLY not in export and OLD_STORY not in export


def test_the_closing_advocate_does_not_read_new_messages_through_the_old_case(
    app, twilio, ana  # noqa: F811
):
    first, second = _second_case(twilio, ana)
    twilio.text("please call me at the new number tonight")
    page = ana.page(f"/inbox/cases/{first}")
    assert OLD_REPLY in page and OLD_STORY in page
    assert NEW_STORY not in page and "new number tonight" not in page
    export = ana.get(f"/inbox/cases/{first}/export")
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    assert OLD_REPLY in text and OLD_STORY in text
    assert NEW_STORY not in text and "new number tonight" not in text
    # Ana held the first case: the second links back to it for her.
    assert f'href="/inbox/cases/{first}"' in ana.page(f"/inbox/cases/{second}")
    assert case_of(app, first).status == "closed"


def test_an_admin_follows_the_link_to_an_earlier_case(app, twilio, ana):  # noqa: F811
    first, second = _second_case(twilio, ana)
    dora = other_browser(app, "dora@example.org")
    assert f'href="/inbox/cases/{first}"' in dora.page(f"/inbox/cases/{second}")
    assert OLD_REPLY in dora.page(f"/inbox/cases/{first}")


def test_a_purged_case_leaves_nothing_to_the_familys_open_case(
    app, twilio, client, team  # noqa: F811
):
    clock = use_clock(app, Clock(datetime.now(UTC)))
    inbox = Inbox(client)
    inbox.login("ana@example.org")
    first, second = _second_case(twilio, inbox)
    clock.advance(days=91)
    assert cli(app, "purge").exit_code == 0
    assert [case.ref for case in rows(app, Case)] == [second]
    page = other_browser(app, "ben@example.org").page(f"/inbox/cases/{second}")
    assert NEW_STORY in page and OLD_STORY not in page and OLD_REPLY not in page
