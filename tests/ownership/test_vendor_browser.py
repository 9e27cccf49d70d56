"""In real Chromium with the CSP on: a buyer records a competitor's stake on the vendor page,
sees the status change with the graph drawn, and looks back at an earlier day; on a phone
the page fits the screen. No CSP violation, no script error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from questionnaires.ownership.models import Competitor, NeutralityEvent
from tests.support.browser import CHROMIUM_ARGS, CSP_PROBE

# Set to a directory to keep screenshots of the pages for a look by eye.
SCREENSHOTS = os.environ.get("DILIGENCE_SCREENSHOTS", "")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop ran hold their own connection.
        connections.close_all()


def logged_in(browser, base_url: str, *, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  base_url=base_url)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # The browser asks for /favicon.ico on its own; every other failed load is a defect.
    page.on("response", lambda r: page.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return page


def keep_screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / name, full_page=True)


def problems(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []") + page.errors


def test_recording_a_stake_on_the_vendor_page_shows_the_change_under_the_csp(
        live_server, buyer, vendor, chromium):
    from playwright.sync_api import expect

    Competitor.objects.create(organization=buyer.organization, name="Orbital Dynamics")
    page = logged_in(chromium, live_server.url, width=1280, height=900)
    page.goto(f"/vendors/{vendor.pk}/")
    expect(page.get_by_role("heading", name="LabelWorks", exact=True)).to_be_visible()

    page.get_by_label("Holder", exact=True).fill("Orbital Dynamics, Inc.")
    page.get_by_label("Equity (%)").fill("49")
    page.get_by_label("Board seats").fill("1")
    page.get_by_label("Acquired on").fill("2025-06-13")
    page.get_by_role("button", name="Record the stake").click()

    expect(page.get_by_text("LabelWorks is now conflicted (was neutral).")).to_be_visible()
    expect(page.locator(".ownership-graph svg")).to_be_visible()
    expect(page.locator(".findings")).to_contain_text(
        "Orbital Dynamics, Inc. → LabelWorks")
    assert NeutralityEvent.objects.get().to_status == "conflicted"
    keep_screenshot(page, "vendor-page-desktop.png")

    # The date picker shows an earlier day as soon as it changes (static/js/vendors.js).
    page.get_by_label("Show the ownership on").fill("2025-06-12")
    page.wait_for_url("**on=2025-06-12")
    expect(page.get_by_role("heading", name="Neutrality on 2025-06-12")).to_be_visible()
    expect(page.get_by_text("No competitor holds anything")).to_be_visible()
    assert problems(page) == []


def test_the_vendor_page_fits_a_phone(live_server, buyer, vendor, chromium):
    page = logged_in(chromium, live_server.url, width=390, height=844)
    page.goto(f"/vendors/{vendor.pk}/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate("""Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, wide
    keep_screenshot(page, "vendor-page-phone.png")
    assert problems(page) == []
