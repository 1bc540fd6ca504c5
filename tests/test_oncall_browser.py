"""A real browser: an admin sets an advocate's weekly on-call hours from the inbox."""

from __future__ import annotations

import pytest

from bot.storage.advocates import Advocate, OnCallWindow
from tests.test_inbox_browser import (  # noqa: F401  (fixtures)
    OUTPUT,
    app,
    assert_secure_page,
    chromium,
    fake_twilio,
    log_in,
    server,
    sync_playwright_browser,
    watch_csp,
)
from tests.utils.advocates import add_team, rows

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]


def test_admin_sets_an_advocates_hours_in_a_real_browser(app, server, chromium):  # noqa: F811
    from playwright.sync_api import expect

    team = add_team(app)
    with sync_playwright_browser(chromium) as page:
        refused = watch_csp(page)
        log_in(page, server, "dora@example.org")
        page.click("header >> text=Advocates")
        expect(page.locator("h1")).to_have_text("Advocates")
        with page.expect_response(lambda r: "/edit" in r.url) as opened:
            page.click("a[aria-label='Edit Ana Ruiz']")
        assert_secure_page(opened.value, page)
        expect(page.locator("h1")).to_have_text("Ana Ruiz")

        # A mistake first: the page says what is wrong and keeps what was typed.
        page.check("#weekly")
        page.fill("#windows", "mon-fri 9 to 5")
        page.click("button:has-text('Save')")
        expect(page.locator("#error")).to_contain_text("should look like 'mon-fri 09:00-17:00'")
        expect(page.locator("#windows")).to_have_value("mon-fri 9 to 5")

        page.fill("#windows", "mon-fri 09:00-17:00\nsat 10:00-14:00")
        page.fill("#languages", "es, en")
        page.click("button:has-text('Save')")
        expect(page.locator(".flash.ok")).to_have_text("Saved: Ana Ruiz.")
        row = page.locator("tr", has_text="Ana Ruiz")
        expect(row).to_contain_text("es, en")
        expect(row).to_contain_text("fri 09:00-17:00; sat 10:00-14:00")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "oncall_hours.png"), full_page=True)
    assert refused == []
    [ana] = rows(app, Advocate, Advocate.id == team["ana"])
    assert ana.always_on is False and ana.languages == ["es", "en"]
    windows = rows(app, OnCallWindow, OnCallWindow.advocate_id == team["ana"])
    assert [(w.weekday, w.start_minute, w.end_minute) for w in windows] == [
        *[(day, 9 * 60, 17 * 60) for day in range(5)], (5, 10 * 60, 14 * 60)
    ]
