"""Writes that point elsewhere, and fields no client may set.

Two organisations are seeded (the tenancy matrix's `_seed`). Acting as A:
- every write whose body names an object by id or key is tried with B's object (or another
  assessment's evidence, or a key the template does not have): refused with a 4xx, and the
  rows it would have made or changed are counted before and after;
- the protected fields (`organization`, `status`, `score`, `tier`, `created_by`,
  `neutrality_status`, `id`, ...) are sent on every create/update; the stored object keeps
  the server's values;
- the OpenAPI schema is introspected: no request body may offer a protected field as
  writable, and every writable field that names another object must be listed here (so a
  new endpoint's reference field fails this file until a test covers it).
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from tests.support.files import tiny_pdf

from .test_tenancy_matrix import _seed

pytestmark = pytest.mark.django_db

PROTECTED = {"organization", "organization_id", "status", "score", "tier", "created_by",
             "created_by_id", "neutrality_status", "id", "created_at", "updated_at",
             "submitted_at", "decided_at", "sha256", "reviewer", "author", "overall"}
# Writable request fields that are allowed a protected-looking name, and why.
PROTECTED_ALLOWED: dict[tuple[str, str], str] = {}
REFERENCE_WORDS = {"vendor", "vendors", "template", "question", "questions", "evidence",
                   "holder", "subject", "entity", "stake", "assessment", "competitor",
                   "scenario", "report", "member", "parent", "id", "ids", "pk", "answer",
                   "invitation", "user", "owner"}
PDF = tiny_pdf()  # a real one: the upload checks open it with pypdf


def _looks_like_reference(name: str) -> bool:
    return any(word in REFERENCE_WORDS for word in name.lower().split("_"))


# Writable request fields that name another object (by id or key) -> the test covering it.
# Not found by name, covered explicitly: PUT /respond/answers/{key}/ `value` of a file
# question carries evidence ids (test_respond_file_answer_refuses_another_assessments_evidence).
HOLDER_BY_NAME = ("a name, resolved inside the caller's graph: "
                  "test_stake_holder_by_name_stays_in_own_graph")
REFERENCE_FIELDS = {
    ("POST /api/v1/assessments/", "vendor"): "test_assessment_issue_refuses_foreign_vendor_and_template",
    ("POST /api/v1/assessments/", "template"): "test_assessment_issue_refuses_foreign_vendor_and_template",
    ("POST /api/v1/assessments/{id}/review/", "questions"): "test_review_refuses_unknown_question_keys",
    ("POST /api/v1/respond/evidence/", "question"): "test_respond_evidence_refuses_unknown_question",
    ("POST /api/v1/entities/{entity_pk}/stakes/", "holder"): HOLDER_BY_NAME,
    ("POST /api/v1/entities/{entity_pk}/stakes/", "holder_parent"): "a name, same as holder",
    ("POST /api/v1/entities/{entity_pk}/stakes/", "holder_kind"): "an enum, not a reference",
    ("POST /api/v1/vendors/{vendor_pk}/stakes/", "holder"): HOLDER_BY_NAME,
    ("POST /api/v1/vendors/{vendor_pk}/stakes/", "holder_parent"): "a name, same as holder",
    ("POST /api/v1/vendors/{vendor_pk}/stakes/", "holder_kind"): "an enum, not a reference",
}


@pytest.fixture
def two():
    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset

    invite_bad_tries_reset(address="127.0.0.1")
    a, b = _seed("a", canary=False), _seed("b", canary=True)
    yield a, b
    invite_bad_tries_reset(address="127.0.0.1")


def _api(seeded, role="admin"):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=seeded.members[role].user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _vendor_api(seeded):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Invite {seeded.token}")
    return client


def _request_properties():
    schema = json.loads(Client().get("/api/schema/", HTTP_ACCEPT="application/json").content)
    components = schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = components[node["$ref"].split("/")[-1]]
        return node

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                body = resolve(media.get("schema", {}))
                for name, prop in body.get("properties", {}).items():
                    if not resolve(prop).get("readOnly") and not prop.get("readOnly"):
                        yield f"{method.upper()} {path}", name


# --- The schema: what a client can write ----------------------------------------------------------
def test_no_request_body_offers_a_protected_field():
    offered = sorted({(op, name) for op, name in _request_properties()
                      if name in PROTECTED and (op, name) not in PROTECTED_ALLOWED})
    assert not offered, f"writable protected fields: {offered}"


def test_every_writable_reference_field_is_covered_by_a_test_here():
    found = {(op, name) for op, name in _request_properties() if _looks_like_reference(name)}
    uncovered = sorted(found - set(REFERENCE_FIELDS))
    assert not uncovered, ("request fields that look like references to other objects, with "
                           f"no foreign-write test: {uncovered}")
    stale = sorted(set(REFERENCE_FIELDS) - found)
    assert not stale, f"REFERENCE_FIELDS names fields the schema no longer has: {stale}"


# --- Foreign references ------------------------------------------------------------------------
def test_assessment_issue_refuses_foreign_vendor_and_template(two):
    from questionnaires.assessments.models import Assessment, Invitation

    a, b = two
    api = _api(a)
    own = {"vendor": str(a.objects["vendor"].pk),
           "template": str(a.objects["published_template"].pk),
           "due_date": "2099-01-01", "respondent_email": "x@vendor.test"}
    bodies = [dict(own, vendor=str(b.objects["vendor"].pk)),
              dict(own, template=str(b.objects["published_template"].pk)),
              dict(own, template=str(b.objects["template"].pk)),
              dict(own, vendor=str(b.objects["vendor"].pk),
                   template=str(b.objects["published_template"].pk))]
    before = (Assessment.objects.count(), Invitation.objects.count())
    for body in bodies:
        response = api.post("/api/v1/assessments/", body, format="json")
        assert response.status_code == 400, (body, response.status_code, response.content)
        for canary in b.canaries:
            assert canary not in response.content.decode()
    assert (Assessment.objects.count(), Invitation.objects.count()) == before
    # control: the same body with A's own objects is accepted
    assert api.post("/api/v1/assessments/", own, format="json").status_code == 201


def test_stakes_cannot_be_written_into_another_organisations_graph(two):
    from questionnaires.ownership.models import Entity, Stake

    a, b = two
    api = _api(a)
    body = {"holder": "Foreign Holdings", "percent": "10.0000"}
    before = (Stake.objects.count(), Entity.objects.count(),
              Stake.objects.filter(organization=b.organization).count())
    for path in (f"/api/v1/vendors/{b.objects['vendor'].pk}/stakes/",
                 f"/api/v1/entities/{b.objects['entity'].pk}/stakes/"):
        assert api.post(path, body, format="json").status_code == 404, path
    # A's vendor, B's stake id; and B's vendor with B's stake
    stake_b = b.objects["stake"]
    for path in (f"/api/v1/vendors/{a.objects['vendor'].pk}/stakes/{stake_b.pk}/",
                 f"/api/v1/vendors/{b.objects['vendor'].pk}/stakes/{stake_b.pk}/",
                 f"/api/v1/entities/{a.objects['entity'].pk}/stakes/{stake_b.pk}/"):
        response = api.patch(path, {"disposed_on": "2025-01-01"}, format="json")
        assert response.status_code == 404, path
    assert (Stake.objects.count(), Entity.objects.count(),
            Stake.objects.filter(organization=b.organization).count()) == before
    stake_b.refresh_from_db()
    assert stake_b.disposed_on is None


def test_stake_holder_by_name_stays_in_own_graph(two):
    """A holder named like B's entity is A's own new entity, never B's."""
    from questionnaires.ownership.models import Entity, Stake

    a, b = two
    b_entity = b.objects["entity"]
    b_count = Entity.objects.filter(organization=b.organization).count()
    response = _api(a).post(f"/api/v1/vendors/{a.objects['vendor'].pk}/stakes/",
                            {"holder": b_entity.name, "percent": "5"}, format="json")
    assert response.status_code == 201, response.content
    stake = Stake.objects.get(pk=response.json()["id"])
    assert stake.organization_id == a.organization.pk
    assert stake.holder.organization_id == a.organization.pk
    assert stake.holder_id != b_entity.pk
    assert Entity.objects.filter(organization=b.organization).count() == b_count


def test_review_refuses_unknown_question_keys(two):
    from questionnaires.assessments.models import Review

    a, b = two
    before = Review.objects.count()
    status_before = a.objects["assessment"].status
    response = _api(a, "reviewer").post(
        f"/api/v1/assessments/{a.objects['assessment'].pk}/review/",
        {"decision": "request_changes", "note": "why",
         "questions": ["no_such_question_key", str(uuid.uuid4())]}, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"][0]["field"].startswith("questions")
    assert Review.objects.count() == before
    a.objects["assessment"].refresh_from_db()
    assert a.objects["assessment"].status == status_before
    # control: the same request with a key of the template is accepted
    response = _api(a, "reviewer").post(
        f"/api/v1/assessments/{a.objects['assessment'].pk}/review/",
        {"decision": "request_changes", "note": "why", "questions": ["sec_encryption_at_rest"]},
        format="json")
    assert response.status_code == 201, response.content


def test_respond_evidence_refuses_unknown_question(two):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from questionnaires.assessments.models import Evidence

    a, _ = two
    before = Evidence.objects.count()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = _vendor_api(a).post("/api/v1/respond/evidence/",
                                   {"file": upload, "question": "no_such_question_key"},
                                   format="multipart")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"][0]["field"] == "question"
    assert Evidence.objects.count() == before
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = _vendor_api(a).post("/api/v1/respond/evidence/",  # control
                                   {"file": upload, "question": "sec_soc2_report"},
                                   format="multipart")
    assert response.status_code == 201, response.content


def test_respond_file_answer_refuses_another_assessments_evidence(two):
    from questionnaires.assessments.models import Answer

    a, b = two
    open_assessment = a.objects["open_assessment"]
    before = list(Answer.objects.filter(assessment=open_assessment)
                  .values_list("question__key", "value", "version"))
    vendor = _vendor_api(a)
    for foreign in (b.objects["evidence"], a.objects["evidence"]):  # B's; A's other assessment
        response = vendor.put("/api/v1/respond/answers/sec_soc2_report/",
                              {"value": [str(foreign.pk)], "version": 0}, format="json")
        assert 400 <= response.status_code < 500, (foreign.pk, response.status_code,
                                                   response.content)
        assert response.json()["errors"][0]["field"] == "value"
    after = list(Answer.objects.filter(assessment=open_assessment)
                 .values_list("question__key", "value", "version"))
    assert after == before
    # control: the open assessment's own evidence is accepted
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("own.pdf", PDF, content_type="application/pdf")
    own = vendor.post("/api/v1/respond/evidence/", {"file": upload, "question": "sec_soc2_report"},
                      format="multipart")
    assert own.status_code == 201, own.content
    response = vendor.put("/api/v1/respond/answers/sec_soc2_report/",
                          {"value": [own.json()["id"]], "version": 0}, format="json")
    assert response.status_code == 200, response.content


# --- Protected fields --------------------------------------------------------------------------
def _protected(b) -> dict:
    return {"organization": str(b.organization.pk), "organization_id": str(b.organization.pk),
            "id": str(uuid.uuid4()), "status": "approved", "score": 99, "tier": "low",
            "created_by": str(b.members["admin"].user.pk), "neutrality_status": "conflicted",
            "created_at": "2000-01-01T00:00:00Z"}


def test_vendor_protected_fields_keep_server_values(two):
    from questionnaires.ownership.models import Vendor

    a, b = two
    api = _api(a)
    sent = _protected(b)
    response = api.post("/api/v1/vendors/", {**sent, "name": "Protected Co",
                                             "criticality": "low"}, format="json")
    assert response.status_code == 201, response.content
    vendor = Vendor.objects.get(name="Protected Co")
    assert str(vendor.pk) != sent["id"] and vendor.organization_id == a.organization.pk
    assert vendor.neutrality_status != "conflicted"
    own = a.objects["vendor"]
    status_before = own.neutrality_status
    response = api.patch(f"/api/v1/vendors/{own.pk}/", {**sent, "notes": "patched"},
                         format="json")
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.notes == "patched"
    assert own.organization_id == a.organization.pk and own.neutrality_status == status_before
    assert not Vendor.objects.filter(pk=sent["id"]).exists()


def test_competitor_protected_fields_keep_server_values(two):
    from questionnaires.ownership.models import Competitor

    a, b = two
    api = _api(a)
    sent = _protected(b)
    response = api.post("/api/v1/competitors/", {**sent, "name": "Rival Protected"},
                        format="json")
    assert response.status_code == 201, response.content
    made = Competitor.objects.get(name="Rival Protected")
    assert made.organization_id == a.organization.pk and str(made.pk) != sent["id"]
    own = a.objects["competitor"]
    response = api.patch(f"/api/v1/competitors/{own.pk}/", {**sent, "aliases": ["x"]},
                         format="json")
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.organization_id == a.organization.pk


def test_assessment_protected_fields_keep_server_values(two):
    from questionnaires.assessments.models import Assessment
    from questionnaires.scoring.models import ScoreRun

    a, b = two
    sent = _protected(b)
    body = {**sent, "vendor": str(a.objects["vendor"].pk),
            "template": str(a.objects["published_template"].pk), "due_date": "2099-01-01",
            "respondent_email": "p@vendor.test", "progress": 1, "round": 7,
            "submitted_at": "2000-01-01T00:00:00Z"}
    response = _api(a).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.content
    made = Assessment.objects.get(pk=response.json()["id"])
    assert str(made.pk) != sent["id"]
    assert made.organization_id == a.organization.pk
    assert made.status == "sent" and made.submitted_at is None and made.round == 0
    assert not ScoreRun.objects.filter(assessment=made).exists()
    assert response.json()["score"] is None


def test_stake_protected_fields_keep_server_values(two):
    from questionnaires.ownership.models import Stake

    a, b = two
    sent = _protected(b)
    response = _api(a).post(f"/api/v1/vendors/{a.objects['vendor'].pk}/stakes/",
                            {**sent, "holder": "Protected Holder", "percent": "3"},
                            format="json")
    assert response.status_code == 201, response.content
    stake = Stake.objects.get(pk=response.json()["id"])
    assert str(stake.pk) != sent["id"] and stake.organization_id == a.organization.pk
    assert stake.created_by_id == a.members["admin"].user.pk


def test_scenario_protected_fields_keep_server_values(two):
    from questionnaires.scoring.models import Scenario

    a, b = two
    own = a.objects["scenario"]
    sent = _protected(b)
    response = _api(a).put(f"/api/v1/scenarios/{own.pk}/",
                           {**sent, "definition": own.definition}, format="json")
    own_after = Scenario.objects.get(pk=own.pk)
    assert own_after.organization_id == a.organization.pk
    assert not Scenario.objects.filter(pk=sent["id"]).exists()
    assert response.status_code < 500
