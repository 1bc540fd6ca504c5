"""A real browser opens the numbers page: charts drawn as images under the CSP, tables beside."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import test_inbox_browser as inbox_browser
from tests.test_inbox_browser import (
    OUTPUT,
    assert_secure_page,
    log_in,
    sync_playwright_browser,
    watch_csp,
)
from tests.utils.advocates import (
    Clock,
    add_advocate,
    open_agent_case,
    use_clock,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]
# The inbox browser test's fixtures: chromium, the app served on 127.0.0.1, the fake Twilio.
app, chromium, fake_twilio, server = (
    inbox_browser.app, inbox_browser.chromium, inbox_browser.fake_twilio, inbox_browser.server
)
CHARTS = ("funnel", "days", "stopped", "claims", "messages", "failures")


def test_an_admin_reads_the_numbers_in_a_real_browser(app, twilio, server, chromium):
    from playwright.sync_api import expect

    use_clock(app, Clock(datetime.now(UTC)))  # the texts arrive now
    add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org", ("en", "es"),
                 role="admin")
    open_agent_case(twilio)
    open_agent_case(twilio, sender="+15555550102")
    twilio.text("hello", sender="+15555550103")
    with sync_playwright_browser(chromium) as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        refused = watch_csp(page)
        log_in(page, server, "dora@example.org")
        page.click("header >> text=Numbers")
        expect(page.locator("h1")).to_have_text("Numbers")
        assert_secure_page(page.goto(f"{server}/inbox/stats/?days=7"), page)
        funnel = page.locator("section[aria-label=Funnel] table.numbers").first
        expect(funnel).to_contain_text("First text")
        expect(funnel.locator("tr", has_text="First text")).to_contain_text("3")
        expect(funnel.locator("tr", has_text="Case opened")).to_contain_text("2")
        for name in CHARTS:
            image = page.locator(f"img[src*='/inbox/stats/{name}.svg']")
            expect(image).to_be_visible()
            # Drawn, not a broken image: the browser decoded the SVG and knows its size.
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
            )
        OUTPUT.mkdir(exist_ok=True)
        shot = OUTPUT / "stats_page.png"
        page.screenshot(path=str(shot), full_page=True)
        page.select_option("#days", "30")
        page.click("button:has-text('Show')")
        expect(page.locator("section[aria-label='By day'] tbody tr")).to_have_count(30)
    assert refused == []
    assert shot.stat().st_size > 20_000
