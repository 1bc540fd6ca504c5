"""A real browser: an admin writes a broadcast in two languages, sees its cost, and sends it."""

from __future__ import annotations

import re

import pytest

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
from tests.utils.advocates import add_advocate, use_clock

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]
ENGLISH = "Know your rights: a free workshop at the library on Saturday at 10."
SPANISH = "Conozca sus derechos: taller gratis en la biblioteca el sábado a las 10."
EN_FAMILY, ES_FAMILY = "+15555550301", "+15555550302"


def test_an_admin_writes_and_sends_a_broadcast_in_a_real_browser(
    app, twilio, server, chromium, fake_twilio, request  # noqa: F811  (the fixtures imported above)
):
    from playwright.sync_api import expect

    use_clock(app)
    add_advocate(app, "Dora Admin", "+15555550204", "dora@example.org", ("en",), role="admin")
    for number, language, word in ((EN_FAMILY, "1", "ALERTS"), (ES_FAMILY, "español", "ALERTAS")):
        twilio.text("hello", sender=number)
        twilio.text(language, sender=number)
        twilio.text(word, sender=number)
    with sync_playwright_browser(chromium) as page:
        refused = watch_csp(page)
        log_in(page, server, "dora@example.org")
        page.click("header a:has-text('Broadcasts')")
        expect(page.locator("h1")).to_have_text("Broadcasts")
        with page.expect_response(lambda r: r.url.endswith("/inbox/broadcasts/new")) as form:
            page.click("text=Write a broadcast")
        assert_secure_page(form.value, page)
        expect(page.locator("input[value=en]")).to_be_checked()  # languages with subscribers
        expect(page.locator("input[value=es]")).to_be_checked()
        expect(page.locator("input[value=fr]")).not_to_be_checked()
        page.fill("#text_en", ENGLISH)
        page.fill("#text_es", SPANISH)
        page.click("button:has-text('Preview audience and cost')")

        estimate = page.locator("section.estimate")
        expect(estimate).to_contain_text("Audience: 2 people.")
        expect(estimate.locator("tr", has_text="Spanish")).to_contain_text("UCS-2")
        expect(estimate.locator("tr", has_text="English")).to_contain_text("GSM-7")
        expect(estimate).to_contain_text("Estimated total: 3 SMS segments")
        OUTPUT.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        page.screenshot(path=str(OUTPUT / f"{name}_estimate.png"), full_page=True)
        page.click("button:has-text('Send to 2 people')")
        expect(page.locator(".flash.ok")).to_contain_text("The broadcast is on its way.")
        expect(page.locator("h1")).to_contain_text("Broadcast 1")

        deliver_outbox(app)
        page.reload()
        expect(page.locator("dd.sent-count")).to_have_text("2")
        expect(page.locator("h1 .tag")).to_have_text("done")
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert refused == []
    bodies = {m["to"]: m["body"] for m in fake_twilio.messages if m["to"] in (EN_FAMILY, ES_FAMILY)}
    assert bodies == {EN_FAMILY: ENGLISH, ES_FAMILY: SPANISH}
