"""A real browser records a court hearing on a case page: confirm the family's date, fix it,
add the court, save; the family gets the notice through the outbox and the fake Twilio."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_hearings import EN_WHEN, RECORDED_AT
from tests.test_inbox_browser import (  # noqa: F401  (fixtures)
    OUTPUT,
    app,
    assert_secure_page,
    chromium,
    deliver_outbox,
    fake_twilio,
    log_in,
    server,
    sync_playwright_browser,
    watch_csp,
)
from tests.utils.advocates import (
    FAMILY,
    Clock,
    add_advocate,
    case_of,
    open_intake_case,
    use_clock,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def test_an_advocate_records_a_hearing_on_the_case_page_in_a_real_browser(
    app, twilio, server, chromium, fake_twilio  # noqa: F811
):
    from playwright.sync_api import expect

    use_clock(app, Clock(RECORDED_AT))
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    ref = open_intake_case(twilio)  # the family wrote "December 8 in Houston"
    with sync_playwright_browser(chromium) as page:
        refused = watch_csp(page)
        log_in(page, server, "ana@example.org")
        assert_secure_page(page.goto(f"{server}/inbox/cases/{ref}"), page)
        panel = page.locator("section[aria-label=Hearing]")
        expect(panel).to_contain_text("No hearing ahead is recorded.")
        expect(panel).to_contain_text("December 8 in Houston")

        page.click("text=Confirm this date")
        written = case_of(app, ref).created_at.date()
        december = date(written.year, 12, 8)
        december = december if december >= written else date(written.year + 1, 12, 8)
        expect(page.locator("#hearing-date")).to_have_value(december.isoformat())
        # The advocate checked the court's notice: the hearing is on January 15, 2030.
        page.fill("#hearing-date", "2030-01-15")
        page.fill("#hearing-time", "09:00")
        page.select_option("#hearing-zone", "America/New_York")
        page.fill("#hearing-court", "Chicago Immigration Court")
        page.click("button:has-text('Save the hearing')")
        expect(page.locator(".flash.ok")).to_contain_text("Hearing saved.")
        expect(page.locator("#hearing-ahead")).to_contain_text(
            "Tuesday, January 15, 2030 at 09:00 (Eastern) · Chicago Immigration Court · in person"
        )
        expect(page.locator("#hearing-reminders")).to_contain_text("2030-01-08 09:00")
        OUTPUT.mkdir(exist_ok=True)
        page.locator("section[aria-label=Hearing]").screenshot(
            path=str(OUTPUT / "hearing-panel.png"))

        page.fill("#hearing-date", "2020-01-15")  # a slip of the finger: refused, said so
        page.click("button:has-text('Change the hearing')")
        expect(page.locator(".flash.error")).to_contain_text("already passed")
        deliver_outbox(app)
    assert refused == []
    notices = [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY]
    assert f"court hearing for case {ref}: {EN_WHEN}." in notices[-1]
