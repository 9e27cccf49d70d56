"""Done means: in real Chromium with the CSP on, a reviewer asks for clarification on two
questions, the vendor answers them through the portal, a Celery worker scores the new
answers, the reviewer approves with one condition (and has a PDF report rendered), and the
dashboard shows the new status and tier."""

from __future__ import annotations

import datetime
import shutil

import pytest
from django.db import connections

from questionnaires.assessments.models import Assessment, RemediationItem
from questionnaires.scoring.models import ScoreRun
from tests.support import assessments as builders
from tests.support.browser import CHROMIUM_ARGS, CSP_PROBE
from tests.support.paths import ROOT
from tests.support.waiting import wait_for

OUTPUT = ROOT / "test-output"
FIRST_ANSWERS = {"own_equity": "no", "sec_mfa": "no", "sec_notify_hours": 96}


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop ran hold their own connection; close it
        # while that loop still runs, or the test database cannot be dropped at the end.
        connections.close_all()


def open_page(browser, base_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def csp_problems(page) -> list[str]:
    reported = page.evaluate("window.__cspViolations || []")
    return reported + [m for m in page.errors if "Content Security Policy" in m]


def scored_now(assessment: Assessment) -> ScoreRun | None:
    assessment.refresh_from_db()
    return ScoreRun.objects.filter(assessment=assessment,
                                   digest=assessment.answers_digest).first()


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_clarify_two_answers_then_approve_with_a_condition_and_see_it_on_the_dashboard(
        live_server, celery_worker_process, buyer, colleague, vendor, chromium):
    from playwright.sync_api import expect

    template = builders.template_for(buyer.organization)
    assessment = builders.issue(organization=buyer.organization, vendor=vendor,
                                template=template, by=buyer.user)
    builders.answer(assessment, FIRST_ANSWERS)
    from questionnaires.assessments.services.lifecycle import assessment_submit
    from questionnaires.ownership.services.neutrality import vendor_entity

    vendor_entity(vendor)
    assessment_submit(assessment=assessment, by=builders.RESPONDENT)
    first = wait_for(lambda: scored_now(assessment), timeout=60, what="the first score")

    # The reviewer asks for clarification on two questions.
    reviewer = open_page(chromium, live_server.url)
    reviewer.goto("/login/")
    reviewer.fill("input[name=username]", "rob")
    reviewer.fill("input[name=password]", "correct horse battery")
    reviewer.click("button[type=submit]")
    reviewer.goto(f"/assessments/{assessment.pk}/")
    expect(reviewer.locator("#q-sec_notify_hours")).to_have_class(
        "question review-q flagged flag-high")
    reviewer.check("input[name=questions][value=sec_mfa]")
    reviewer.check("input[name=questions][value=sec_notify_hours]")
    reviewer.check("input[name=decision][value=request_changes]")
    reviewer.fill("#id_note", "Which staff lack MFA, and why 96 hours to notify a breach?")
    reviewer.click("text=Record decision")
    expect(reviewer.locator("#assessment-status")).to_have_text("Changes Requested")
    assessment.refresh_from_db()
    assert assessment.reopened_keys == ["sec_mfa", "sec_notify_hours"]

    # The vendor answers them through the portal, with the link they already hold.
    respondent = open_page(chromium, live_server.url)
    respondent.goto("/" + assessment.invite_url.split("/", 3)[3])  # the path of the link
    respondent.click("text=Open the questionnaire")
    respondent.goto("/portal/section/ownership/")
    expect(respondent.locator("#q-own_equity input[value=yes]")).to_be_disabled()
    respondent.goto("/portal/section/security/")
    respondent.check("#q-sec_mfa input[value=yes]")
    expect(respondent.locator("#status-sec_mfa")).to_have_text("Saved")
    respondent.fill("#in-sec_notify_hours", "12")
    expect(respondent.locator("#status-sec_notify_hours")).to_have_text("Saved")
    respondent.goto("/portal/review/")
    respondent.click("form.submit-form button[type=submit]")
    expect(respondent).to_have_url(f"{live_server.url}/portal/receipt/")
    second = wait_for(lambda: scored_now(assessment), timeout=60, what="the new score")
    assert second.pk != first.pk and second.tier != first.tier

    # The reviewer sees the earlier answers, then approves with one condition.
    reviewer.goto(f"/assessments/{assessment.pk}/")
    expect(reviewer.locator("#q-sec_notify_hours .history summary")).to_have_text(
        "Earlier answers (1)")
    reviewer.check("input[name=decision][value=approve_with_conditions]")
    reviewer.fill("#id_note", "Acceptable once the contract has a 24-hour breach clause.")
    due = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    reviewer.fill("#condition-text-1", "Add a 24-hour breach notification clause")
    reviewer.fill("#condition-due-1", due)
    reviewer.click("text=Record decision")
    expect(reviewer.locator("#assessment-status")).to_have_text("Approved With Conditions")
    item = RemediationItem.objects.get(assessment=assessment)
    assert item.due_date.isoformat() == due

    # A PDF report: the panel polls (htmx) until the worker has rendered it.
    reviewer.click("text=Generate a PDF report")
    expect(reviewer.locator("#reports-panel")).to_contain_text("rendering")
    expect(reviewer.locator("#reports-panel a", has_text="Download PDF")).to_be_visible(
        timeout=90_000)
    reviewer.screenshot(path=str(OUTPUT / "workspace-review.png"), full_page=True)

    # The dashboard shows the new status and tier; its search is an htmx swap.
    reviewer.goto("/")
    row = reviewer.locator("table.portfolio tbody tr", has_text=vendor.name)
    expect(row.locator(".badge.status-approved_with_conditions")).to_have_text(
        "Approved With Conditions")
    expect(row.locator(f".badge.tier-{second.tier}")).to_have_text(second.tier.capitalize())
    reviewer.fill("#id_q", "no such vendor")
    expect(reviewer.locator("#portfolio")).to_contain_text("No vendor matches these filters")
    reviewer.fill("#id_q", vendor.name[:5])
    expect(reviewer.locator("table.portfolio tbody tr")).to_have_count(1)
    reviewer.select_option("#id_tier", "critical")
    expect(reviewer.locator("#portfolio")).to_contain_text("No vendor matches these filters")
    reviewer.select_option("#id_tier", second.tier)
    expect(reviewer.locator("table.portfolio tbody tr")).to_have_count(1)
    assert f"tier={second.tier}" in reviewer.url and "q=" in reviewer.url
    reviewer.click("table.portfolio th >> text=Score")
    expect(reviewer.locator("th[aria-sort=ascending]")).to_contain_text("Score")
    assert "sort=score" in reviewer.url and f"tier={second.tier}" in reviewer.url
    reviewer.screenshot(path=str(OUTPUT / "workspace.png"), full_page=True)

    # On a phone the table becomes one card per vendor, nothing wider than the screen.
    reviewer.set_viewport_size({"width": 390, "height": 844})
    reviewer.reload()
    expect(row.locator(f".badge.tier-{second.tier}")).to_be_visible()
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 390
    reviewer.screenshot(path=str(OUTPUT / "workspace-phone.png"), full_page=True)
    assert csp_problems(reviewer) == [] and csp_problems(respondent) == []
