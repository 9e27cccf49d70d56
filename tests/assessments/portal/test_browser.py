"""The portal in real Chromium with the CSP on: a VSAQ questionnaire whose questions appear
and disappear as it is answered, then a native one with evidence and a required answer."""

from __future__ import annotations

import shutil

import pytest
from django.db import connections

from questionnaires.assessments.models import Answer, Assessment
from questionnaires.assessments.services.lifecycle import answer_save
from tests.support.browser import CHROMIUM_ARGS, CSP_PROBE
from tests.support.files import tiny_pdf
from tests.support.paths import ROOT, VSAQ_DIR
from tests.support.portal import SMALL_SPEC, issue, spec_template

OUTPUT = ROOT / "test-output"
WEBAPP = VSAQ_DIR / "webapp.json"
# Playwright hides the text caret for screenshots by injecting a <style>, which the CSP
# under test rightly blocks (and reports); leave the caret alone instead.
SHOT = {"caret": "initial"}


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM must be allowed here.
    # monkeypatch restores the variable, so no later subprocess (manage.py check --deploy)
    # inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(CSP_PROBE)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda dialog: dialog.accept())
        page.console_errors = console
        yield page
        context.close()
        browser.close()
        # ORM calls made while Playwright's loop ran hold their own connection; close it
        # here, or the test database cannot be dropped at the end of the session.
        connections.close_all()


def csp_problems(page) -> list[str]:
    reported = page.evaluate("window.__cspViolations || []")
    logged = [m for m in page.console_errors if "Content Security Policy" in m]
    return reported + logged


def wait_saved(page, key: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(f"#status-{key}")).to_have_text("Saved")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_vendor_answers_a_vsaq_questionnaire_in_chromium_with_the_csp_on(
        live_server, buyer, vendor, browser_page):
    from playwright.sync_api import expect

    from questionnaires.authoring.importers.vsaq import load_vsaq
    from questionnaires.authoring.services.templates import template_create

    spec = load_vsaq(WEBAPP.read_text(), filename="webapp.json")
    template = template_create(spec=spec, organization=buyer.organization, source_format="vsaq")
    issued = issue(organization=buyer.organization, vendor=vendor, template=template,
                   by=buyer.user)
    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request))

    # Opening the link shows a confirmation; only the button opens the portal.
    page.goto(f"{live_server.url}/invite/{issued.token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Labs asks you")
    page.get_by_role("button", name="Open the questionnaire").click()
    expect(page).to_have_url(f"{live_server.url}/portal/section/block_application_metadata/")
    assert issued.token not in page.url

    # Keyboard: the skip link comes first, then the controls, with a visible focus ring.
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()

    # A text answer is saved as it is typed.
    page.get_by_label("The name of the application").fill("LabelWorks Studio")
    wait_saved(page, "application_name")

    page.get_by_role("link", name="HTTPS and Mixed-Content Risks").first.click()
    ciphers = page.locator("#q-application_ssl_configuration_ciphers")
    not_ssl = page.locator("#q-warn_application_not_ssl")
    hsts = page.locator("#q-tip_application_ssl_hsts")
    expect(ciphers).to_be_hidden()
    expect(not_ssl).to_be_hidden()

    page.locator('#q-block_https_q1 input[value="application_ssl_none"]').check()
    wait_saved(page, "block_https_q1")
    expect(not_ssl).to_be_visible()
    expect(ciphers).to_be_hidden()

    page.locator('#q-block_https_q1 input[value="application_ssl_exclusively"]').check()
    expect(ciphers).to_be_visible()
    expect(hsts).to_be_visible()
    expect(not_ssl).to_be_hidden()
    page.locator('#q-application_ssl_configuration_ciphers '
                 'input[value="application_ssl_configuration_ciphers_yes"]').check()
    wait_saved(page, "application_ssl_configuration_ciphers")

    # Switching back hides the follow-ups again; their answers are kept, not counted.
    page.locator('#q-block_https_q1 input[value="application_ssl_mixed"]').check()
    expect(hsts).to_be_hidden()
    expect(ciphers).to_be_visible()
    page.locator('#q-block_https_q1 input[value="application_ssl_exclusively"]').check()
    expect(hsts).to_be_visible()
    wait_saved(page, "block_https_q1")

    # Everything is still there after a reload.
    page.reload()
    expect(page.locator('#q-block_https_q1 input[value="application_ssl_exclusively"]')
           ).to_be_checked()
    expect(page.locator('#q-application_ssl_configuration_ciphers '
                        'input[value="application_ssl_configuration_ciphers_yes"]')).to_be_checked()
    expect(ciphers).to_be_visible()
    expect(not_ssl).to_be_hidden()
    page.screenshot(path=str(OUTPUT / "portal.png"), **SHOT)
    page.goto(f"{live_server.url}/portal/section/block_application_metadata/")
    expect(page.get_by_label("The name of the application")).to_have_value("LabelWorks Studio")

    # A phone-sized screen: one column, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/portal/section/block_https/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(OUTPUT / "portal-phone.png"), **SHOT)
    page.set_viewport_size({"width": 1280, "height": 900})

    # VSAQ has no required questions: review and submit, then the receipt.
    page.goto(f"{live_server.url}/portal/review/")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{live_server.url}/portal/receipt/")
    assessment = Assessment.objects.get(pk=issued.assessment.pk)
    assert assessment.status == "submitted"
    expect(page.locator("#digest")).to_have_text(assessment.answers_digest)
    saved = dict(Answer.objects.filter(assessment=assessment)
                 .values_list("question__key", "value"))
    assert saved["block_https_q1"] == "application_ssl_exclusively"
    assert saved["application_name"] == "LabelWorks Studio"
    assert csp_problems(page) == []
    # The token never left in a Referer: not to the stylesheets and scripts of the invite
    # page, not with the confirming POST, not with any autosave.
    referers = [r.all_headers().get("referer", "") for r in requests]
    assert len(requests) > 20 and not any(issued.token in ref for ref in referers)
    assert not any("/invite/" in ref or "/portal/" in ref for ref in referers)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_vendor_uploads_evidence_is_stopped_by_a_missing_answer_then_submits(
        live_server, buyer, vendor, browser_page, tmp_path):
    from playwright.sync_api import expect

    template = spec_template(SMALL_SPEC, buyer.organization)
    issued = issue(organization=buyer.organization, vendor=vendor, template=template,
                   by=buyer.user)
    report = tmp_path / "soc2-report.pdf"
    report.write_bytes(tiny_pdf())
    page = browser_page
    page.goto(f"{live_server.url}/invite/{issued.token}")
    page.get_by_role("button", name="Open the questionnaire").click()

    page.goto(f"{live_server.url}/portal/section/security/")
    upload_block = page.locator("#q-soc2_report")
    expect(upload_block).to_be_hidden()
    page.get_by_label("SOC 2 Type II").check()
    expect(upload_block).to_be_visible()
    page.set_input_files("#file-soc2_report", str(report))
    upload_block.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-status-soc2_report")).to_have_text("File attached")
    upload_block.screenshot(path=str(OUTPUT / "portal-upload.png"), **SHOT)
    expect(page.locator("#q-soc2_report").get_by_label("soc2-report.pdf")).to_be_checked()

    # A program dressed as a PDF is refused, with the reason next to the question.
    fake = tmp_path / "policy.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 512)
    page.set_input_files("#file-policy", str(fake))
    page.locator("#q-policy").get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-status-policy")).to_contain_text("Windows program")

    page.reload()
    expect(page.locator("#q-soc2_report").get_by_label("soc2-report.pdf")).to_be_checked()
    expect(page.get_by_label("SOC 2 Type II")).to_be_checked()

    # Submitting with required answers missing is refused, listing each of them.
    page.goto(f"{live_server.url}/portal/review/")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("p.error")).to_contain_text("required question(s) still unanswered")
    missing = page.locator("ul.missing li")
    expect(missing).to_have_count(3)
    page.screenshot(path=str(OUTPUT / "portal-review.png"), **SHOT)
    assert Assessment.objects.get(pk=issued.assessment.pk).status == "in_progress"

    missing.first.get_by_role("link").click()
    page.get_by_label("Legal name of your company").fill("LabelWorks GmbH")
    wait_saved(page, "company")

    # A colleague saves the same answer meanwhile: the next edit here is refused, saying so
    # next to the question, and the colleague's answer stands until a reload shows it.
    answer_save(assessment=issued.assessment, question_key="company",
                value="LabelWorks Holding GmbH", comment=None, version=1,
                by="sam@labelworks.test")
    page.get_by_label("Legal name of your company").fill("LabelWorks AG")
    expect(page.locator("#status-company")).to_contain_text(
        "changed by someone else since you loaded it")
    assert Answer.objects.get(assessment=issued.assessment,
                              question__key="company").value == "LabelWorks Holding GmbH"
    page.locator("#status-company").get_by_role("link", name="Reload").click()
    expect(page.get_by_label("Legal name of your company")).to_have_value(
        "LabelWorks Holding GmbH")
    page.get_by_label("How many annotators work for you?").fill("250000")
    page.get_by_label("How many annotators work for you?").blur()
    expect(page.locator("#status-headcount")).to_contain_text("must be at most 100000")
    page.get_by_label("How many annotators work for you?").fill("120")
    page.get_by_label("How many annotators work for you?").blur()
    wait_saved(page, "headcount")
    page.locator('#q-has_investors input[value="no"]').check()
    wait_saved(page, "has_investors")

    page.goto(f"{live_server.url}/portal/review/")
    expect(page.locator("p.ok")).to_have_text("All required questions are answered.")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{live_server.url}/portal/receipt/")
    expect(page.locator(".receipt")).to_contain_text("soc2-report.pdf")
    assessment = Assessment.objects.get(pk=issued.assessment.pk)
    assert assessment.status == "submitted" and assessment.evidence.count() == 1
    assert csp_problems(page) == []
