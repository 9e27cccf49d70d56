"""The neutrality verdict on any day, the declared competitors and the thresholds."""

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Answer, Assessment
from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import Competitor
from tests.support.ownership import add_stake, declare, finding_for, neutrality

pytestmark = pytest.mark.django_db


# --- The verdict ---------------------------------------------------------------------------------
def test_a_vendor_without_any_stake_is_neutral_with_no_findings(api, vendor):
    body = neutrality(api, vendor)
    assert body["status"] == "neutral" and body["findings"] == []
    assert body["on"] == timezone.localdate().isoformat()
    assert body["discrepancy"] is False and body["cross_checked_assessment"] is None


def test_the_status_on_a_past_day_is_recomputed_from_the_stakes_dates(api, no_recheck,
                                                                      vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=8, acquired_on="2024-03-01")
    add_stake(api, vendor, holder="Orbital AI", percent=22, acquired_on="2025-01-15")
    assert neutrality(api, vendor, on="2024-02-29")["status"] == "neutral"
    on_day = neutrality(api, vendor, on="2024-03-01")
    assert on_day["status"] == "at_risk"
    assert finding_for(on_day, "Orbital Dynamics")["percent"] == 8.0
    later = neutrality(api, vendor, on="2025-01-15")
    assert later["status"] == "conflicted"
    assert finding_for(later, "Orbital Dynamics")["percent"] == 30.0
    assert [(c["date"], c["to"]) for c in later["changes"]] == [
        ("2024-03-01", "at_risk"), ("2025-01-15", "conflicted")]


def test_a_bad_on_date_is_a_400_naming_the_parameter(api, vendor):
    response = api.get(f"/api/v1/vendors/{vendor.pk}/neutrality/?on=last-tuesday")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on"


def _submitted(vendor, answers: dict, *, days_ago: int = 0) -> Assessment:
    from questionnaires.authoring.services.library import library_load

    template = next(entry.template for entry in library_load()
                    if entry.template.key == "ai-labeling-neutrality")
    assessment = Assessment.objects.create(
        organization=vendor.organization, vendor=vendor, template=template,
        due_date=timezone.localdate(), status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago))
    for key, value in answers.items():
        Answer.objects.create(assessment=assessment, value=value,
                              question=template.questions.get(key=key))
    return assessment


def test_answers_that_contradict_the_registry_add_a_discrepancy_finding(api, no_recheck,
                                                                        vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=3, observer_seats=1)
    assessment = _submitted(vendor, {"own_model_builder_equity": "no",
                                     "own_board_seat_competitor": "no"})

    body = neutrality(api, vendor)
    assert body["status"] == "at_risk"  # the registry's own status; the observer seat
    assert body["discrepancy"] is True
    assert body["cross_checked_assessment"] == str(assessment.pk)
    discrepancies = [f for f in body["findings"] if f["severity"] == "discrepancy"]
    assert len(discrepancies) == 2
    assert all(f["percent"] == 3.0 and f["path"] == ["Orbital Dynamics", "LabelWorks"]
               for f in discrepancies)
    assert 'answered "no"' in discrepancies[0]["reason"]


def test_answers_given_after_the_day_asked_about_are_not_cross_checked(api, no_recheck,
                                                                       vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=3)
    _submitted(vendor, {"own_model_builder_equity": "no"})
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    body = neutrality(api, vendor, on=yesterday)
    assert body["discrepancy"] is False and body["cross_checked_assessment"] is None


# --- Competitors -----------------------------------------------------------------------------------
def test_competitors_are_listed_read_changed_and_deleted(api, buyer):
    created = declare(api, "Orbital Dynamics", "Orbital AI", "  orbital ai ")
    assert created["aliases"] == ["Orbital AI"]  # blanks squeezed, repeats dropped
    listing = api.get("/api/v1/competitors/").json()
    assert [c["name"] for c in listing["results"]] == ["Orbital Dynamics"]
    url = f"/api/v1/competitors/{created['id']}/"
    assert api.get(url).json()["name"] == "Orbital Dynamics"
    changed = api.patch(url, {"name": "Orbital Dynamics Group"}, format="json")
    assert changed.status_code == 200 and changed.json()["aliases"] == ["Orbital AI"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    actions = list(AuditEvent.objects.filter(action__startswith="competitor.")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["competitor.created", "competitor.updated", "competitor.deleted"]


def test_a_competitor_answering_to_an_existing_name_is_refused(api, buyer):
    declare(api, "Orbital Dynamics", "Orbital AI")
    response = api.post("/api/v1/competitors/", {"name": "ORBITAL AI, Inc."}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    response = api.post("/api/v1/competitors/", {"name": "Nimbus", "aliases": ["Orbital"]},
                        format="json")
    assert response.status_code == 201  # "Orbital" alone is a different name
    response = api.post("/api/v1/competitors/",
                        {"name": "Zenith", "aliases": ["ok", "orbital dynamics"]},
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "aliases"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"), ({"name": "-"}, "name"), ({}, "name"),
    ({"name": "X", "aliases": "Orbital"}, "aliases"), ({"name": "X", "aliases": [""]},
                                                        "aliases[0]"),
    ({"name": "X" * 201}, "name"),
])
def test_bad_competitor_input_is_a_400_with_the_field(api, buyer, body, field):
    response = api.post("/api/v1/competitors/", body, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not Competitor.objects.exists()


# --- Settings ----------------------------------------------------------------------------------------
def test_settings_show_the_defaults_until_the_buyer_overrides_them(api, buyer):
    body = api.get("/api/v1/settings/neutrality/").json()
    assert body["thresholds"] == body["defaults"] == {
        "at_risk_percent": 5.0, "conflicted_percent": 25.0, "observer_seat": "at_risk",
        "board_seat": "conflicted", "voting_control_percent": 50.0,
        "information_rights": "at_risk"}
    assert body["overrides"] == {} and body["auto_recheck"] is True


def test_an_admin_replaces_the_thresholds_and_the_recheck_switch(api, buyer_org):
    response = api.put("/api/v1/settings/neutrality/",
                       {"thresholds": {"at_risk_percent": 2.5, "board_seat": "at_risk"},
                        "auto_recheck": False}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["overrides"] == {"at_risk_percent": 2.5, "board_seat": "at_risk"}
    assert body["thresholds"]["at_risk_percent"] == 2.5
    assert body["thresholds"]["conflicted_percent"] == 25.0
    buyer_org.refresh_from_db()
    assert buyer_org.settings["neutrality_thresholds"] == body["overrides"]
    assert buyer_org.auto_recheck is False
    assert AuditEvent.objects.filter(action="settings.neutrality_changed").count() == 1


def test_settings_keep_other_keys_of_the_organisation(api, buyer_org):
    buyer_org.settings = {"cadence_months": {"critical": 3}}
    buyer_org.save()
    api.put("/api/v1/settings/neutrality/", {"thresholds": {}}, format="json")
    buyer_org.refresh_from_db()
    assert buyer_org.settings["cadence_months"] == {"critical": 3}


@pytest.mark.parametrize(("thresholds", "field"), [
    ({"at_risk_percent": 30}, "thresholds.at_risk_percent"),  # above conflicted (25)
    ({"at_risk_percent": 101}, "thresholds.at_risk_percent"),
    ({"conflicted_percent": "many"}, "thresholds.conflicted_percent"),
    ({"board_seat": "fatal"}, "thresholds.board_seat"),
    ({"sunspots": 1}, "thresholds.sunspots"),
])
def test_bad_thresholds_are_a_400_with_the_field(api, buyer_org, thresholds, field):
    response = api.put("/api/v1/settings/neutrality/", {"thresholds": thresholds},
                       format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    buyer_org.refresh_from_db()
    assert "neutrality_thresholds" not in buyer_org.settings


def test_a_reviewer_reads_the_settings_but_only_an_admin_changes_them(colleague):
    from tests.support.actors import api_client_for

    client = api_client_for(colleague)
    assert client.get("/api/v1/settings/neutrality/").status_code == 200
    response = client.put("/api/v1/settings/neutrality/", {"thresholds": {}}, format="json")
    assert response.status_code == 403
