"""A real browser (Debian's chromium, driven by Playwright) works a case from login to close."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.utils.advocates import FAMILY, PASSWORD, add_advocate, case_of, use_clock
from tests.utils.cli import run_cli
from tests.utils.twilio import HOTLINE_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_passwords")]
CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install -y chromium)")
        pytest.skip("no /usr/bin/chromium here: apt-get install -y chromium to run browser tests")
    return CHROMIUM


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on 127.0.0.1, served from a thread like any web server would."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture
def fake_twilio(app_settings) -> Iterator[FakeTwilio]:  # type: ignore[no-untyped-def]
    """The fake Twilio REST server the app's outbox worker delivers to."""
    with FakeTwilio(auth_token=TEST_TOKEN) as fake:
        app_settings.update(
            twilio_account_sid=fake.account_sid,
            twilio_api_base_url=fake.base_url,
            twilio_from_number=HOTLINE_NUMBER,
            send_rate=0,
        )
        yield fake


@pytest.fixture
def app(app_settings, fake_twilio):  # type: ignore[no-untyped-def]
    """The app, configured to send through the fake Twilio server."""
    from bot import create_app
    from bot.storage.migrate import upgrade

    app = create_app(app_settings)
    upgrade(app.extensions["hotline"].db)
    yield app
    app.extensions["hotline"].db.dispose()


def watch_csp(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every Content-Security-Policy complaint the page's console prints, as it happens."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text else None,
    )
    return refused


def assert_secure_page(response, page) -> None:  # type: ignore[no-untyped-def]
    """The security headers arrived, and the stylesheet (a file, allowed by the CSP) applied."""
    from playwright.sync_api import expect

    headers = response.headers  # lower-case names
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    expect(page.locator("header")).to_have_css("background-color", "rgb(255, 255, 255)")


def log_in(page, server: str, email: str):  # type: ignore[no-untyped-def]
    """Log in at the inbox's login page as this advocate; returns the login page's response."""
    response = page.goto(f"{server}/inbox/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    return response


def deliver_outbox(app) -> None:  # type: ignore[no-untyped-def]
    """What the Procfile's worker does: `hotline outbox work --until-empty`."""
    result = run_cli(app, ["outbox", "work", "--until-empty"])
    assert result.exit_code == 0, result.output


def test_advocate_logs_in_claims_replies_and_closes_in_a_real_browser(
    app, twilio, server, chromium, fake_twilio, request
):
    from playwright.sync_api import expect, sync_playwright

    use_clock(app)
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    reply = "Hola, soy Ana. Voy a llamar a Conroe ahora."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone screen
        refused = watch_csp(page)
        assert_secure_page(page.goto(f"{server}/inbox/"), page)
        page.fill("#email", "ana@example.org")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Log in')")
        expect(page.locator("h1")).to_have_text("Cases")

        # A family finishes the intake while the advocate has the queue open.
        from tests.utils.advocates import open_intake_case

        ref = open_intake_case(twilio, story="My husband was taken by ICE at work today")
        page.reload()
        expect(page.locator("table.queue")).to_contain_text(ref)
        expect(page.locator("table.queue")).to_contain_text("URGENT")

        with page.expect_response(lambda r: f"/inbox/cases/{ref}" in r.url) as case_page:
            page.click(f"text={ref}")
        expect(page.locator("h1")).to_contain_text(f"Case {ref}")
        assert_secure_page(case_page.value, page)
        expect(page.locator("section[aria-label=Summary]")).to_contain_text("A-123-456-789")
        page.click("button:has-text('Claim')")
        expect(page.locator(".flash.ok")).to_contain_text("You hold this case")

        page.fill("#body", reply)
        page.click("button:has-text('Send')")
        expect(page.locator(".flash.ok")).to_contain_text("Sent.")
        deliver_outbox(app)
        page.reload()
        expect(page.locator(".transcript .advocate").last).to_contain_text(reply)
        expect(page.locator(".transcript .advocate .status").last).to_have_text("sent")
        OUTPUT.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)

        page.click("button:has-text('Close the case')")
        expect(page.locator("#status")).to_have_text("closed")
        deliver_outbox(app)
        browser.close()
    assert refused == []

    to_family = [m for m in fake_twilio.messages if m["to"] == FAMILY]
    assert [m["body"] for m in to_family][0] == reply
    assert to_family[-1]["body"].startswith(f"Your advocate closed case {ref}.")
    to_ana = [m["body"] for m in fake_twilio.messages if m["to"] == "+15555550201"]
    assert to_ana and all("Juan" not in body and "Conroe" not in body for body in to_ana)
    assert case_of(app, ref).status == "closed"
    assert (OUTPUT / f"{name}.png").stat().st_size > 10_000


def test_the_inbox_works_under_its_content_security_policy(
    app, twilio, server, chromium, fake_twilio
):
    """A family that asks for a person; the advocate answers, every page under the CSP."""
    from playwright.sync_api import expect

    from tests.utils.advocates import open_agent_case

    use_clock(app)
    add_advocate(app, "Ana Ruiz", "+15555550201", "ana@example.org", ("en",))
    ref = open_agent_case(twilio)
    with sync_playwright_browser(chromium) as page:
        refused = watch_csp(page)
        assert_secure_page(page.goto(f"{server}/inbox/login"), page)
        page.fill("#email", "ana@example.org")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Log in')")
        expect(page.locator("table.queue")).to_contain_text(ref)
        assert_secure_page(page.goto(f"{server}/inbox/cases/{ref}"), page)
        page.click("button:has-text('Claim')")
        expect(page.locator(".flash.ok")).to_have_css("background-color", "rgb(220, 252, 231)")
        page.fill("#body", "Hola, soy Ana.")
        page.click("button:has-text('Send')")
        expect(page.locator(".flash.ok")).to_contain_text("Sent.")
        deliver_outbox(app)
        page.reload()
        expect(page.locator(".transcript .advocate .status").last).to_have_text("sent")
        expect(page.locator("a.button.secondary")).to_have_css(
            "background-color", "rgb(255, 255, 255)"  # the Export link, styled from the file
        )
        page.click("button:has-text('Log out')")
        expect(page.locator("#email")).to_be_visible()
    assert refused == []
    assert [m["body"] for m in fake_twilio.messages if m["to"] == FAMILY] == ["Hola, soy Ana."]


@contextmanager
def sync_playwright_browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 390, "height": 844})
        finally:
            browser.close()
