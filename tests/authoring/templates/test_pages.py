"""Buyer pages for templates: browse, preview as the vendor sees it, import, clone, edit,
publish, export; tenancy and roles; CSP-safe markup."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from questionnaires.authoring.forms import SectionForm
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.templates import template_spec
from tests.support.templates import LIBRARY_MAIN, TEST_TEMPLATE, WEBAPP, template_rows

pytestmark = pytest.mark.django_db


def _login(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture
def page(client, buyer):
    return _login(client, buyer)


def _url(name: str, template=None, *extra) -> str:
    from django.urls import reverse

    args = [template.pk, *extra] if template is not None else []
    return reverse(f"workspace:templates-{name}", args=args)


def _section_post(template, index: int = 0, **changes) -> dict:
    """What the edit page posts for one section when nothing is changed, plus ``changes``
    (native path -> value; False unticks a checkbox)."""
    form = SectionForm(spec=template_spec(template), index=index)
    data = {name: field.initial for name, field in form.fields.items()}
    data.update(changes)
    data["part"] = "section"
    return {name: ("on" if value is True else value) for name, value in data.items()
            if value is not False and value is not None}


def assert_csp_safe(html: str) -> None:
    """No inline script, inline style or inline event handler: the CSP would block them."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag and "nonce=" in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


# --- Browse and preview --------------------------------------------------------------------------
def test_list_page_shows_own_templates_and_the_library_with_counts(page, library, own_template,
                                                                   outsider_template):
    response = page.get(_url("list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert own_template.name in html and _url("detail", own_template) in html
    main = library[LIBRARY_MAIN]
    assert main.name in html and _url("detail", main) in html
    assert f"<td>{main.questions.count()}</td>" in html
    assert outsider_template.name not in html
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert_csp_safe(html)


def test_preview_renders_every_question_as_the_vendor_sees_it_with_inputs_disabled(
        page, library, django_assert_max_num_queries):
    main = library[LIBRARY_MAIN]
    with django_assert_max_num_queries(6):  # session, user, membership, template (with its
        response = page.get(_url("detail", main))  # counts), sections, questions
    assert response.status_code == 200
    html = response.content.decode()
    for key in main.questions.values_list("key", flat=True):
        assert f'id="q-{key}"' in html, key
    for section in main.sections.all():
        assert section.title in html
    # Choices sit in disabled fieldsets; typed answers in read-only inputs.
    assert html.count("<fieldset disabled") == main.questions.filter(
        kind__in=["yes_no", "single_choice", "multi_choice", "file"]).count()
    typed = main.questions.filter(kind__in=["short_text", "long_text", "number", "date"])
    assert html.count(" readonly") >= typed.count()
    assert html.count('class="required-mark"') >= main.questions.filter(required=True).count()
    assert_csp_safe(html)


def test_preview_names_the_condition_of_every_conditional_question(page, own_template):
    html = page.get(_url("detail", own_template)).content.decode()
    assert 'id="condition-soc2_scope"' in html
    assert "shown only when <code>has_soc2 == &quot;yes&quot;</code>" in html
    assert 'id="condition-has_soc2"' not in html
    assert "Do you hold a SOC 2 Type II report?" in html


def test_preview_shows_vsaq_markup_sanitised_as_the_portal_does(page, buyer):
    from django.core.files import File

    from questionnaires.authoring.services.files import template_import

    with WEBAPP.open("rb") as handle:
        template = template_import(file=File(handle, name="webapp.json"),
                                   organization=buyer.organization)
    html = page.get(_url("detail", template)).content.decode()
    assert "&lt;b&gt;" not in html and "&lt;code&gt;" not in html  # rendered, not escaped
    assert "<script>" not in html.replace('<script src=', "")


# --- Tenancy and roles ---------------------------------------------------------------------------
def test_an_outsider_gets_404_on_every_page_of_another_organisations_template(
        client, outsider, own_template, own_draft):
    _login(client, outsider)
    for template in (own_template, own_draft):
        assert client.get(_url("detail", template)).status_code == 404
        assert client.get(_url("export", template, "native")).status_code == 404
        assert client.get(_url("edit", template)).status_code == 404
        assert client.post(_url("clone", template)).status_code == 404
        assert client.post(_url("publish", template)).status_code == 404
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"


def test_compliance_can_preview_but_not_import_clone_edit_or_publish(client, compliance,
                                                                     own_template, own_draft):
    _login(client, compliance)
    assert client.get(_url("detail", own_template)).status_code == 200
    assert "Clone into a draft" not in client.get(_url("detail", own_template)).content.decode()
    before = template_rows()
    assert client.get(_url("import")).status_code == 403
    upload = SimpleUploadedFile("t.json", TEST_TEMPLATE.read_bytes())
    assert client.post(_url("import"), {"file": upload}).status_code == 403
    assert client.post(_url("clone", own_template)).status_code == 403
    assert client.get(_url("edit", own_draft)).status_code == 403
    assert client.post(_url("edit", own_draft), _section_post(own_draft)).status_code == 403
    assert client.post(_url("publish", own_draft)).status_code == 403
    assert template_rows() == before
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"


def test_library_templates_cannot_be_edited_or_published_from_the_pages(page, library):
    main = library[LIBRARY_MAIN]
    assert page.get(_url("edit", main)).status_code == 403
    assert page.post(_url("publish", main)).status_code == 403
    html = page.get(_url("detail", main)).content.decode()
    assert "Clone into a draft" in html and "Edit draft" not in html


def test_anonymous_visitors_are_sent_to_the_login_page(client, own_template):
    response = client.get(_url("detail", own_template))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Import --------------------------------------------------------------------------------------
def test_import_page_imports_a_vsaq_file_with_its_extension(page, buyer):
    response = page.get(_url("import"))
    assert response.status_code == 200
    assert_csp_safe(response.content.decode())
    response = page.post(_url("import"), {
        "file": SimpleUploadedFile("test_template.json", TEST_TEMPLATE.read_bytes()),
        "extensions": [SimpleUploadedFile(
            "ext.json", (TEST_TEMPLATE.parent / "test_template_extension.json").read_bytes())],
    })
    assert response.status_code == 302
    template = Template.objects.get(organization=buyer.organization)
    assert response["Location"] == _url("detail", template)
    assert (template.sections.count(), template.questions.count()) == (4, 6)


def test_import_page_lists_each_problem_where_it_is_in_the_file_and_stores_nothing(page):
    broken = TEST_TEMPLATE.read_text().replace("data_warning/yes", "no_such_item/yes")
    response = page.post(_url("import"), {
        "file": SimpleUploadedFile("test_template.json", broken.encode())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "item &quot;data_tip&quot; (questionnaire[0].items[1].items[1]): cond" in html
    assert "unknown key &quot;no_such_item&quot;" in html
    assert template_rows() == (0, 0, 0)


def test_import_page_shows_the_line_of_a_native_error(page):
    text = ("format: diligence/v1\nkey: broken\nname: Broken\nsections:\n"
            "  - key: s\n    title: S\n    questions:\n"
            "      - {key: q, text: Hello, kind: yesno2}\n")
    response = page.post(_url("import"), {"file": SimpleUploadedFile("b.yaml", text.encode())})
    assert response.status_code == 400
    assert "b.yaml: line 8: sections[0].questions[0].kind" in response.content.decode()


def test_import_page_refuses_an_oversize_file_with_413(page):
    with override_settings(IMPORT_MAX_BYTES=10_000):
        response = page.post(_url("import"), {
            "file": SimpleUploadedFile("webapp.json", WEBAPP.read_bytes())})
    assert response.status_code == 413
    assert "the largest accepted" in response.content.decode()
    assert template_rows() == (0, 0, 0)


def test_import_page_without_a_file_says_so(page):
    response = page.post(_url("import"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


# --- Clone, edit, publish, export -----------------------------------------------------------------
def test_clone_edit_publish_flow_through_the_pages(page, buyer, library):
    main = library[LIBRARY_MAIN]
    cloned = page.post(_url("clone", main))
    assert cloned.status_code == 302
    draft = Template.objects.get(organization=buyer.organization)
    assert cloned["Location"] == _url("edit", draft)
    assert (draft.status, draft.parent) == ("draft", main)

    edit_page = page.get(_url("edit", draft))
    assert edit_page.status_code == 200
    assert_csp_safe(edit_page.content.decode())

    spec = template_spec(draft)
    section = spec["sections"][0]
    choice = next(i for i, q in enumerate(section["questions"]) if q["kind"] == "single_choice")
    path = f"sections[0].questions[{choice}]"
    posted = _section_post(draft, 0, **{
        "sections[0].title": "Who owns you",
        "sections[0].weight": "2.5",
        f"{path}.text": "Who controls the company?",
        f"{path}.help": "Votes or board majority.",
        f"{path}.weight": "2",
        f"{path}.required": False,
        f"{path}.options[0].label": "Its founders",
        f"{path}.options[0].score": "0.9",
    })
    saved = page.post(f"{_url('edit', draft)}?section={section['key']}", posted)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    edited = template_spec(draft)["sections"][0]
    question = edited["questions"][choice]
    assert (edited["title"], edited["weight"]) == ("Who owns you", 2.5)
    assert (question["text"], question["help"], question["weight"], question["required"]) == (
        "Who controls the company?", "Votes or board majority.", 2, False)
    assert question["options"][0]["label"] == "Its founders"
    assert question["options"][0]["score"] == 0.9
    # Everything not edited is as it was.
    assert edited["questions"][choice + 1] == section["questions"][choice + 1]
    assert template_spec(draft)["sections"][1:] == spec["sections"][1:]

    named = page.post(_url("edit", draft), {"part": "details", "name": "Acme questionnaire",
                                            "description": "Ours."})
    assert named.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Acme questionnaire"

    assert page.post(_url("publish", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert page.get(_url("edit", draft)).status_code == 302  # published: back to the preview
    main.refresh_from_db()
    assert main.name != "Acme questionnaire"


def test_a_bad_edit_is_refused_on_the_field_with_a_located_message(page, own_draft):
    before = template_spec(own_draft)
    posted = _section_post(own_draft, 0, **{
        "sections[0].questions[1].options[1].score": "1.5",
        "sections[0].questions[0].text": "   ",
    })
    response = page.post(_url("edit", own_draft), posted)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["sections[0].questions[1].options[1].score"]
    assert form.errors["sections[0].questions[0].text"]
    html = response.content.decode()
    assert 'id="id_sections[0].questions[1].options[1].score-errors"' in html
    assert template_spec(own_draft) == before


def test_a_non_number_weight_is_refused_before_validation(page, own_draft):
    before = template_spec(own_draft)
    posted = _section_post(own_draft, 0, **{"sections[0].weight": "heavy"})
    response = page.post(_url("edit", own_draft), posted)
    assert response.status_code == 400
    assert response.context["form"].errors["sections[0].weight"]
    assert template_spec(own_draft) == before


def test_saving_an_untouched_section_changes_nothing(page, library, buyer):
    draft_response = page.post(_url("clone", library[LIBRARY_MAIN]))
    draft = Template.objects.get(organization=buyer.organization)
    assert draft_response.status_code == 302
    before = template_spec(draft)
    for index, section in enumerate(before["sections"]):
        response = page.post(f"{_url('edit', draft)}?section={section['key']}",
                             _section_post(draft, index))
        assert response.status_code == 302, section["key"]
    assert template_spec(draft) == before


def test_export_buttons_download_yaml_and_xlsx(page, own_template):
    html = page.get(_url("detail", own_template)).content.decode()
    for fmt in ("native", "xlsx"):
        assert _url("export", own_template, fmt) in html
    yaml_file = page.get(_url("export", own_template, "native"))
    assert yaml_file["Content-Disposition"] == 'attachment; filename="mini-v1.yaml"'
    xlsx = page.get(_url("export", own_template, "xlsx"))
    assert xlsx.content.startswith(b"PK")
    assert page.get(_url("export", own_template, "pdf")).status_code == 400
