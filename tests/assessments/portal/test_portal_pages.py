"""The portal's pages and autosave endpoints, driven as htmx drives them."""

from __future__ import annotations

import re

import pytest

from questionnaires.assessments.models import Answer, Assessment, Invitation
from questionnaires.assessments.services.lifecycle import answer_save
from tests.support.files import tiny_pdf, upload
from tests.support.portal import VENDOR_EMAIL, open_portal

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def save(client, key: str, value, version=0, comment=None):
    data = {"value": value, "version": version}
    if comment is not None:
        data["comment"] = comment
    return client.post(f"/portal/answers/{key}/", data, **HX)


def block(html: str, key: str) -> str:
    """The question block of `key` in a page or fragment."""
    match = re.search(rf'<div id="q-{key}"[^>]*>', html)
    assert match, f"no block for {key}"
    return match.group(0)


def test_a_section_page_has_labels_required_marks_progress_and_hidden_questions(portal):
    page = portal.get("/portal/section/basics/").content.decode()
    assert '<label for="in-company">' in page and 'id="in-company"' in page
    assert 'aria-required="true"' in page and "(required)" in page
    assert 'id="overall-progress"' in page and "<progress" in page
    assert " hidden" in block(page, "investor_names")
    assert " hidden" not in block(page, "company")
    assert "<legend>Do outside investors hold equity in you?" in page
    assert "style=" not in page and "onclick" not in page and "<script>" not in page


def test_portal_home_goes_to_the_first_section_with_an_open_required_question(portal):
    response = portal.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/section/basics/"


def test_autosave_returns_the_status_line_and_out_of_band_progress_and_visibility(portal, issued):
    response = save(portal, "has_investors", "yes")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="meta-has_investors"')
    assert 'name="version" value="1"' in html and "Saved" in html
    assert '<nav id="portal-nav"' in html and 'hx-swap-oob="true"' in html
    shown = block(html, "investor_names")
    assert 'hx-swap-oob="true"' in shown and " hidden" not in shown
    hide = save(portal, "has_investors", "no", version=1).content.decode()
    assert " hidden" in block(hide, "investor_names")
    answer = Answer.objects.get(assessment=issued.assessment, question__key="has_investors")
    assert (answer.value, answer.version, answer.answered_by) == ("no", 2, VENDOR_EMAIL)


def test_repeating_the_saved_answer_writes_nothing(portal, issued):
    save(portal, "company", "LabelWorks GmbH")
    again = save(portal, "company", "LabelWorks GmbH", version=1)
    assert again.status_code == 200 and 'name="version" value="1"' in again.content.decode()
    assert Answer.objects.get(assessment=issued.assessment, question__key="company").version == 1


def test_a_conflict_shows_the_message_next_to_the_question_and_keeps_the_saved_answer(portal,
                                                                                      issued):
    save(portal, "company", "LabelWorks GmbH")
    answer_save(assessment=issued.assessment, question_key="company", value="Colleague's name",
                comment=None, version=1, by="sam@labelworks.test")
    response = save(portal, "company", "My late edit", version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you loaded it" in html and "Reload" in html
    assert 'name="version" value="1"' in html  # still stale: a retry cannot overwrite theirs
    answer = Answer.objects.get(assessment=issued.assessment, question__key="company")
    assert (answer.value, answer.version) == ("Colleague's name", 2)


def test_a_validation_message_appears_next_to_the_question(portal, issued):
    response = save(portal, "headcount", "-3")
    assert response.status_code == 400
    assert "must be at least 0; got -3" in response.content.decode()
    not_a_number = save(portal, "headcount", "lots")
    assert "'lots' is not a number" in not_a_number.content.decode().replace("&#x27;", "'")
    assert not Answer.objects.filter(assessment=issued.assessment).exists()


def test_multi_choice_and_comments_are_saved(portal, issued):
    response = portal.post("/portal/answers/certs/", {"value": ["soc2", "iso27001"],
                                                      "comment": "renewed in March",
                                                      "version": 0}, **HX)
    assert response.status_code == 200
    answer = Answer.objects.get(assessment=issued.assessment, question__key="certs")
    assert answer.value == ["soc2", "iso27001"] and answer.comment == "renewed in March"
    assert 'id="q-soc2_report"' in response.content.decode()  # it appeared


def test_without_javascript_a_save_redirects_back_to_the_question(portal, issued):
    response = portal.post("/portal/answers/company/", {"value": "LabelWorks", "version": 0})
    assert response.status_code == 302
    assert response["Location"] == "/portal/section/basics/#q-company"


def test_uploading_to_a_file_question_attaches_it_to_the_answer(portal, issued):
    save(portal, "certs", ["soc2"])
    response = portal.post("/portal/evidence/", {"question": "soc2_report",
                                                 "file": upload("soc2.pdf", tiny_pdf())}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "soc2.pdf" in html and "File attached" in html and "checked" in html
    evidence = issued.assessment.evidence.get()
    answer = Answer.objects.get(assessment=issued.assessment, question__key="soc2_report")
    assert answer.value == [str(evidence.pk)]


def test_a_refused_upload_shows_the_reason_next_to_the_question(portal, issued):
    response = portal.post("/portal/evidence/", {
        "question": "policy", "file": upload("policy.pdf", b"MZ\x90\x00" + b"\x00" * 200)}, **HX)
    assert response.status_code == 400
    assert "Windows program" in response.content.decode()
    assert not issued.assessment.evidence.exists()


def test_review_lists_each_open_required_question_with_a_link(portal):
    save(portal, "has_investors", "yes")
    page = portal.get("/portal/review/").content.decode()
    for key in ("company", "headcount", "investor_names"):
        assert f'href="/portal/section/basics/#q-{key}"' in page
    assert "#q-has_investors" not in page


def test_submitting_with_a_required_answer_missing_is_refused_and_nothing_changes(portal, issued):
    response = portal.post("/portal/submit/")
    assert response.status_code == 400
    assert "required question" in response.content.decode()
    issued.assessment.refresh_from_db()
    assert issued.assessment.status == "sent"


def test_submit_then_a_read_only_receipt_with_the_digest(portal, issued,
                                                         django_capture_on_commit_callbacks):
    for key, value in (("company", "LabelWorks GmbH"), ("headcount", "120"),
                       ("has_investors", "no")):
        assert save(portal, key, value).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = portal.post("/portal/submit/")
    assert response.status_code == 302 and response["Location"] == "/portal/receipt/"
    assessment = Assessment.objects.get(pk=issued.assessment.pk)
    receipt = portal.get("/portal/receipt/").content.decode()
    assert assessment.answers_digest and assessment.answers_digest in receipt
    assert "LabelWorks GmbH" in receipt and "120" in receipt
    assert "<dd>No" in receipt  # has_investors, in words
    assert portal.get("/portal/")["Location"] == "/portal/receipt/"
    section = portal.get("/portal/section/basics/").content.decode()
    assert "read-only" in section and "hx-post" not in section
    assert save(portal, "company", "Changed", version=1).status_code == 409


def test_in_a_clarification_round_only_reopened_questions_are_editable(portal, issued):
    for key, value in (("company", "LabelWorks GmbH"), ("headcount", "120"),
                       ("has_investors", "no")):
        save(portal, key, value)
    Assessment.objects.filter(pk=issued.assessment.pk).update(
        status="changes_requested", reopened_keys=["headcount"], submitted_at="2030-01-01T00:00Z")
    page = portal.get("/portal/section/basics/").content.decode()
    assert "Clarification round" in page
    company = page[page.index('id="q-company"'):page.index('id="q-headcount"')]
    headcount = page[page.index('id="q-headcount"'):page.index('id="q-founded"')]
    assert "hx-post" not in company and "readonly" in company
    assert "hx-post" in headcount
    assert save(portal, "company", "Other", version=1).status_code == 409
    assert save(portal, "headcount", "130", version=1).status_code == 200


def test_continue_later_ends_the_session_and_the_link_opens_it_again(portal, issued):
    save(portal, "company", "LabelWorks GmbH")
    response = portal.post("/portal/leave/")
    assert response.status_code == 200 and "Your answers are saved" in response.content.decode()
    assert portal.get("/portal/section/basics/").status_code == 403
    open_portal(portal, issued.token)
    page = portal.get("/portal/section/basics/").content.decode()
    assert 'value="LabelWorks GmbH"' in page


def test_a_colleague_is_invited_from_the_portal(portal, issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = portal.post("/portal/colleagues/", {"email": "sam@labelworks.test",
                                                       "name": "Sam"})
    assert response.status_code == 302 and len(callbacks) == 1
    sam = Invitation.objects.get(email="sam@labelworks.test")
    assert sam.invited_by_id == issued.invitation.pk and sam.assessment_id == issued.assessment.pk
    page = portal.get("/portal/colleagues/").content.decode()
    assert "sam@labelworks.test" in page and f"invited by {VENDOR_EMAIL}" in page
    bad = portal.post("/portal/colleagues/", {"email": "not-an-email"})
    assert bad.status_code == 400 and "valid email" in bad.content.decode()


def test_portal_pages_refuse_anyone_without_a_session(client, buyer, issued):
    for url in ("/portal/", "/portal/section/basics/", "/portal/review/", "/portal/receipt/",
                "/portal/colleagues/"):
        assert client.get(url).status_code == 403
    assert client.post("/portal/answers/company/", {"value": "x"}).status_code == 403
    assert client.post("/portal/submit/").status_code == 403
    client.force_login(buyer.user)  # a buyer is not a respondent either
    assert client.get("/portal/section/basics/").status_code == 403
    assert not Answer.objects.exists()


def test_a_second_vendors_session_reaches_nothing_of_the_first(client, issued, other_issued):
    answer_save(assessment=issued.assessment, question_key="company", value="LabelWorks GmbH",
                comment=None, version=0, by=VENDOR_EMAIL)
    open_portal(client, other_issued.token)
    page = client.get("/portal/section/basics/").content.decode()
    assert "LabelWorks GmbH" not in page and "Beta Buyer" in page
    client.post("/portal/answers/company/", {"value": "Annotada SL", "version": 0}, **HX)
    assert Answer.objects.get(assessment=issued.assessment).value == "LabelWorks GmbH"
    assert Answer.objects.get(assessment=other_issued.assessment).value == "Annotada SL"


def test_an_unknown_section_or_question_is_404(portal):
    assert portal.get("/portal/section/nope/").status_code == 404
    assert portal.post("/portal/answers/nope/", {"value": "x"}, **HX).status_code == 404


def test_a_section_page_runs_a_fixed_number_of_queries_whatever_its_size(
        client, buyer, vendor, django_assert_max_num_queries):
    from tests.support.portal import issue, spec_template

    def build(count: int):
        sections = [{"key": "only", "title": "Only", "questions": [
            {"key": f"q{i}", "text": f"Question {i}", "kind": "single_choice", "required": True,
             "options": [{"key": f"a{i}", "label": "A", "score": 1.0},
                         {"key": f"b{i}", "label": "B", "score": 0.0}],
             **({"show_if": "a0"} if i else {})} for i in range(count)]}]
        template = spec_template({"format": "diligence/v1", "key": f"size-{count}",
                                  "name": f"Size {count}", "sections": sections},
                                 buyer.organization)
        return issue(organization=buyer.organization, vendor=vendor, template=template,
                     email=f"v{count}@labelworks.test")

    for count in (10, 300):
        issued = build(count)
        open_portal(client, issued.token)
        client.get("/portal/section/only/")  # warm the compiled-template cache
        with django_assert_max_num_queries(9):
            response = client.get("/portal/section/only/")
        assert response.content.decode().count('class="question ') == count


def test_a_nul_character_in_a_form_post_is_a_message_not_a_500(portal, issued):
    response = save(portal, "company", "LabelWorks", comment="a\x00b")
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not Answer.objects.filter(assessment=issued.assessment).exists()
