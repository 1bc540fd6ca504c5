"""A real browser reads a family's message through machine translation and replies through it."""

from __future__ import annotations

import re

import pytest

from tests.test_inbox_browser import (  # noqa: F401  (fixtures)
    OUTPUT,
    PASSWORD,
    chromium,
    deliver_outbox,
    log_in,
    server,
    sync_playwright_browser,
    watch_csp,
)
from tests.test_machine_translation import (  # noqa: F401  (fixtures)
    FAMILY,
    LABEL,
    STORY,
    STORY_EN,
    app,
    fake_twilio,
    libre,
    spanish_case,
)
from tests.utils.advocates import add_advocate, use_clock

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]
ENGLISH = "I will call you in ten minutes."
SPANISH = "Le voy a llamar en diez minutos."


def test_an_advocate_reads_a_translated_message_and_replies_through_translation(
    app, twilio, server, chromium, fake_twilio, libre, request  # noqa: F811
):
    from playwright.sync_api import expect

    use_clock(app)
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    ref = spanish_case(twilio)
    with sync_playwright_browser(chromium) as page:
        refused = watch_csp(page)
        log_in(page, server, "ana@example.org")
        page.goto(f"{server}/inbox/cases/{ref}")
        message = page.locator(".transcript .msg.in", has_text=STORY).last
        expect(message.locator(".machine")).to_contain_text(STORY_EN)
        expect(message.locator(".machine-label")).to_have_text(LABEL)

        page.click("button:has-text('Claim')")
        page.fill("#body", ENGLISH)
        page.click("button:has-text('Translate into Spanish first')")
        expect(page.locator("#machine-label")).to_contain_text(LABEL)
        expect(page.locator("#original")).to_have_value(ENGLISH)
        expect(page.locator("#body")).to_have_value(SPANISH)
        page.fill("#body", SPANISH + " Soy Ana.")
        page.click("button:has-text('Send')")
        expect(page.locator(".flash.ok")).to_contain_text("Sent.")
        deliver_outbox(app)
        page.reload()
        reply = page.locator(".transcript .advocate").last
        expect(reply).to_contain_text(SPANISH + " Soy Ana.")
        expect(reply.locator(".original")).to_contain_text(ENGLISH)
        OUTPUT.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert refused == []
    assert [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY] == [
        SPANISH + " Soy Ana."
    ]
    assert all(ENGLISH not in m["body"] for m in fake_twilio.messages)
