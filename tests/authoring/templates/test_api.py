"""The templates API: who sees what, the full structure, clone/edit/publish, and refusals."""

from __future__ import annotations

import pytest

from questionnaires.authoring.models import Template
from questionnaires.authoring.services.templates import template_spec
from tests.support.actors import api_client_for
from tests.support.templates import LIBRARY_MAIN, minimal_spec, template_rows

pytestmark = pytest.mark.django_db


def _ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def test_list_shows_own_templates_and_the_library_but_not_another_organisations(
        api, library, own_template, outsider_template):
    response = api.get("/api/v1/templates/")
    assert response.status_code == 200
    body = response.json()
    assert _ids(response) == {str(own_template.id), *(str(t.id) for t in library.values())}
    assert str(outsider_template.id) not in _ids(response)
    assert {"count", "next", "previous", "results"} <= set(body)
    own = next(row for row in body["results"] if row["id"] == str(own_template.id))
    assert own["organization"] == str(own_template.organization_id)
    assert own["is_library"] is False
    assert (own["key"], own["version"], own["status"], own["source_format"]) == (
        "mini", 1, "published", "native")
    assert (own["section_count"], own["question_count"]) == (1, 3)
    main = next(row for row in body["results"] if row["key"] == LIBRARY_MAIN)
    assert main["organization"] is None and main["is_library"] is True
    assert main["question_count"] == library[LIBRARY_MAIN].questions.count()
    assert main["section_count"] == library[LIBRARY_MAIN].sections.count()


def test_list_filters_to_the_library_or_to_own_templates(api, library, own_template):
    only_library = api.get("/api/v1/templates/?library=true")
    assert _ids(only_library) == {str(t.id) for t in library.values()}
    assert _ids(api.get("/api/v1/templates/?library=false")) == {str(own_template.id)}


def test_anonymous_callers_get_401_on_every_template_route(anonymous_api, own_template):
    base = f"/api/v1/templates/{own_template.id}/"
    assert anonymous_api.get("/api/v1/templates/").status_code == 401
    assert anonymous_api.get(base).status_code == 401
    assert anonymous_api.post("/api/v1/templates/import/").status_code == 401
    assert anonymous_api.post(f"{base}clone/").status_code == 401


def test_detail_gives_sections_and_questions_with_every_documented_field(api, own_template):
    response = api.get(f"/api/v1/templates/{own_template.id}/")
    assert response.status_code == 200
    body = response.json()
    assert [s["key"] for s in body["sections"]] == ["basics"]
    questions = body["sections"][0]["questions"]
    assert [q["key"] for q in questions] == ["has_soc2", "soc2_scope", "notes"]
    for question in questions:
        assert {"key", "text", "help", "kind", "required", "options", "show_if", "weight",
                "evidence", "flags", "refs", "bands"} <= set(question)
    has_soc2, scope, notes = questions
    assert has_soc2["required"] is True and has_soc2["weight"] == 3
    assert [o["key"] for o in has_soc2["options"]] == ["yes", "no"]
    assert has_soc2["show_if"] is None
    assert scope["show_if"] == 'has_soc2 == "yes"'
    assert scope["options"][1] == {"key": "some", "label": "Some services", "score": 0.5}
    assert notes["options"] == [] and notes["kind"] == "long_text"


def test_library_detail_runs_a_bounded_number_of_queries(api, library,
                                                         django_assert_max_num_queries):
    main = library[LIBRARY_MAIN]
    assert main.questions.count() >= 90  # the point: a large questionnaire
    api.get("/api/v1/templates/")  # warm the token and content-type caches
    # token + membership + template (with counts) + sections + questions
    with django_assert_max_num_queries(5):
        response = api.get(f"/api/v1/templates/{main.id}/")
    assert response.status_code == 200
    assert sum(len(s["questions"]) for s in response.json()["sections"]) == main.questions.count()


def test_list_runs_a_bounded_number_of_queries_whatever_the_number_of_templates(
        api, library, own_template, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # token, membership, count, page
        assert api.get("/api/v1/templates/").status_code == 200


def test_an_outsider_gets_404_for_another_organisations_template_on_every_route(
        outsider_api, own_template, own_draft):
    for template in (own_template, own_draft):
        base = f"/api/v1/templates/{template.id}/"
        assert outsider_api.get(base).status_code == 404
        assert outsider_api.get(f"{base}export/?format=native").status_code == 404
        assert outsider_api.post(f"{base}clone/").status_code == 404
        assert outsider_api.post(f"{base}publish/").status_code == 404
        assert outsider_api.put(base, minimal_spec(), format="json").status_code == 404
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"
    assert not Template.objects.filter(organization=own_template.organization,
                                       version__gt=own_draft.version).exists()


def test_an_outsider_can_read_and_clone_the_library(outsider_api, outsider, library):
    main = library[LIBRARY_MAIN]
    assert outsider_api.get(f"/api/v1/templates/{main.id}/").status_code == 200
    response = outsider_api.post(f"/api/v1/templates/{main.id}/clone/")
    assert response.status_code == 201
    assert Template.objects.get(id=response.json()["id"]).organization == outsider.organization


def test_compliance_may_read_but_not_import_clone_publish_or_update(compliance, own_draft,
                                                                     own_template):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client_for(compliance)
    base = f"/api/v1/templates/{own_draft.id}/"
    assert client.get(base).status_code == 200
    before = template_rows()
    upload = SimpleUploadedFile("mini.json", b'{"format": "diligence/v1"}')
    assert client.post("/api/v1/templates/import/", {"file": upload},
                       format="multipart").status_code == 403
    assert client.post(f"/api/v1/templates/{own_template.id}/clone/").status_code == 403
    assert client.post(f"{base}publish/").status_code == 403
    assert client.put(base, minimal_spec(name="Changed"), format="json").status_code == 403
    assert template_rows() == before
    own_draft.refresh_from_db()
    assert own_draft.status == "draft" and own_draft.name == "Mini questionnaire"


def test_a_published_template_cannot_be_replaced_409(api, own_template):
    response = api.put(f"/api/v1/templates/{own_template.id}/", minimal_spec(name="Changed"),
                       format="json")
    assert response.status_code == 409
    assert "clone" in response.json()["errors"][0]["message"]
    own_template.refresh_from_db()
    assert own_template.name == "Mini questionnaire"


def test_publishing_a_published_template_is_409(api, own_template):
    assert api.post(f"/api/v1/templates/{own_template.id}/publish/").status_code == 409


def test_library_templates_cannot_be_changed_even_by_an_admin_403(api, library):
    main = library[LIBRARY_MAIN]
    spec = template_spec(main)
    assert api.put(f"/api/v1/templates/{main.id}/", spec, format="json").status_code == 403
    assert api.post(f"/api/v1/templates/{main.id}/publish/").status_code == 403


def test_clone_edit_publish_flow(api, buyer, library):
    main = library[LIBRARY_MAIN]
    cloned = api.post(f"/api/v1/templates/{main.id}/clone/")
    assert cloned.status_code == 201, cloned.json()
    draft = cloned.json()
    assert draft["status"] == "draft" and draft["organization"] == str(buyer.organization_id)
    assert draft["question_count"] == main.questions.count()
    assert draft["is_library"] is False

    spec = api.get(f"/api/v1/templates/{main.id}/export/?format=json").json()
    spec["name"] = "Acme neutrality questionnaire"
    spec["sections"][0]["questions"][1]["text"] = "Registered name and number?"
    spec["sections"][0]["questions"][1]["weight"] = 2
    updated = api.put(f"/api/v1/templates/{draft['id']}/", spec, format="json")
    assert updated.status_code == 200, updated.json()
    body = updated.json()
    assert body["name"] == "Acme neutrality questionnaire"
    edited = body["sections"][0]["questions"][1]
    assert (edited["text"], edited["weight"]) == ("Registered name and number?", 2)

    published = api.post(f"/api/v1/templates/{draft['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert api.put(f"/api/v1/templates/{draft['id']}/", spec,
                   format="json").status_code == 409
    # The library itself is untouched.
    main.refresh_from_db()
    assert main.name != "Acme neutrality questionnaire" and main.status == "published"


def test_an_invalid_edit_is_refused_with_its_path_and_changes_nothing(api, own_draft):
    spec = template_spec(own_draft)
    spec["sections"][0]["questions"][0]["kind"] = "yesno2"
    spec["sections"][0]["questions"][1]["show_if"] = "no_such_question"
    response = api.put(f"/api/v1/templates/{own_draft.id}/", spec, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == "sections[0].questions[0].kind"
    assert "yesno2" in errors[0]["message"]
    own_draft.refresh_from_db()
    assert template_spec(own_draft)["sections"][0]["questions"][0]["kind"] == "yes_no"


def test_an_edit_that_breaks_a_condition_names_the_question_and_the_unknown_key(api, own_draft):
    spec = template_spec(own_draft)
    spec["sections"][0]["questions"][1]["show_if"] = "no_such_question"
    errors = api.put(f"/api/v1/templates/{own_draft.id}/", spec, format="json").json()["errors"]
    assert errors[0]["field"] == "sections[0].questions[1].show_if"
    assert "no_such_question" in errors[0]["message"]


def test_changing_a_drafts_key_is_refused(api, own_draft):
    spec = template_spec(own_draft)
    spec["key"] = "another-key"
    response = api.put(f"/api/v1/templates/{own_draft.id}/", spec, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "key"


def test_a_non_object_body_is_a_located_400_not_a_500(api, own_draft):
    response = api.put(f"/api/v1/templates/{own_draft.id}/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_schema_documents_every_template_route_with_its_error_codes(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    expected = {
        ("/api/v1/templates/", "get"): {"200", "401", "403"},
        ("/api/v1/templates/import/", "post"): {"201", "400", "401", "403", "413"},
        ("/api/v1/templates/{id}/", "get"): {"200", "401", "403", "404"},
        ("/api/v1/templates/{id}/", "put"): {"200", "400", "401", "403", "404", "409"},
        ("/api/v1/templates/{id}/export/", "get"): {"200", "400", "401", "403", "404"},
        ("/api/v1/templates/{id}/clone/", "post"): {"201", "401", "403", "404"},
        ("/api/v1/templates/{id}/publish/", "post"): {"200", "401", "403", "404", "409"},
    }
    for (path, verb), codes in expected.items():
        assert codes <= set(paths[path][verb]["responses"]), (path, verb)
    body = paths["/api/v1/templates/import/"]["post"]["requestBody"]["content"]
    reference = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][reference]["properties"]
    assert fields["file"]["format"] == "binary" and "format" in fields
