"""Custom scenarios over the API: validated with load_scenario when saved (400, every
problem located under `definition`), scoped to the organisation, read-only for compliance,
and run with the next scoring."""

from __future__ import annotations

import uuid

import pytest

from questionnaires.audit.models import AuditEvent
from questionnaires.scoring.models import Scenario
from tests.support.actors import api_client_for
from tests.support.scoring import custom_definition, scored, small_template

pytestmark = pytest.mark.django_db
URL = "/api/v1/scenarios/"


def detail(scenario) -> str:
    return f"{URL}{scenario.pk if isinstance(scenario, Scenario) else scenario}/"


@pytest.fixture
def scenario(buyer):
    from questionnaires.scoring.services.scenarios import scenario_create

    return scenario_create(organization=buyer.organization, definition=custom_definition(),
                           by=buyer.user)


def errors(response) -> dict[str | None, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_a_reviewer_adds_a_scenario_whose_key_and_title_come_from_its_definition(colleague):
    response = api_client_for(colleague).post(URL, {"definition": custom_definition()},
                                              format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["key"], body["title"]) == ("mfa-bypassed", "Phishing bypasses MFA")
    assert body["definition"] == custom_definition()  # as written: defaults fill in at run
    stored = Scenario.objects.get(pk=body["id"])
    assert stored.organization == colleague.organization
    assert AuditEvent.objects.filter(action="scenario.created", object_id=str(stored.pk)).exists()


def test_every_problem_in_a_definition_is_refused_with_its_location(api):
    bad = custom_definition(changes={"add_stakes": [{"holder": "Rival", "percent": 140}],
                                     "fail_controls": "sec_mfa"},
                            explain=["Moves by {delta} to {score}.", "Second."],
                            stresses=["weather"])
    response = api.post(URL, {"definition": bad}, format="json")
    assert response.status_code == 400
    found = errors(response)
    assert set(found) == {"definition.changes.add_stakes[0].percent",
                          "definition.changes.fail_controls", "definition.stresses[0]"}
    assert "140" in found["definition.changes.add_stakes[0].percent"]
    assert "weather" in found["definition.stresses[0]"]
    assert not Scenario.objects.exists()


def test_placeholders_are_checked_once_the_shape_is_right(api):
    bad = custom_definition(explain=["Moves by {delta} to {score}.", "Second."])
    found = errors(api.post(URL, {"definition": bad}, format="json"))
    assert list(found) == ["definition.explain[0]"]
    assert "unknown placeholder {score}" in found["definition.explain[0]"]


@pytest.mark.parametrize("definition, field", [
    ("not an object", "definition"),
    ({"key": "only-a-key"}, "definition.changes"),
    (None, "definition"),
])
def test_a_definition_that_is_not_a_scenario_at_all_is_a_located_400(api, definition, field):
    response = api.post(URL, {"definition": definition}, format="json")
    assert response.status_code == 400
    assert field in errors(response)


def test_a_missing_definition_is_a_400_naming_the_field(api):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400 and "definition" in errors(response)


def test_a_built_in_scenarios_key_or_one_already_used_is_refused(api, scenario):
    taken = api.post(URL, {"definition": custom_definition(key="vendor-breach")}, format="json")
    assert taken.status_code == 400
    assert "built-in scenario" in errors(taken)["definition.key"]
    again = api.post(URL, {"definition": custom_definition()}, format="json")
    assert again.status_code == 400 and "already has" in errors(again)["definition.key"]


def test_an_organisation_has_at_most_max_scenarios(api, scenario, monkeypatch):
    from questionnaires.scoring.services import scenarios

    monkeypatch.setattr(scenarios, "MAX_SCENARIOS", 1)
    response = api.post(URL, {"definition": custom_definition(key="second")}, format="json")
    assert response.status_code == 400 and "at most 1 scenarios" in errors(response)[None]


def test_an_oversized_definition_is_refused(api, monkeypatch):
    from questionnaires.scoring.services import scenarios

    monkeypatch.setattr(scenarios, "DEFINITION_MAX_BYTES", 100)
    response = api.post(URL, {"definition": custom_definition()}, format="json")
    assert response.status_code == 400 and "over" in errors(response)["definition"]


def test_put_replaces_the_definition_and_may_rename_the_key(api, scenario):
    changed = custom_definition(key="mfa-bypassed-twice", title="MFA bypassed twice")
    response = api.put(detail(scenario), {"definition": changed}, format="json")
    assert response.status_code == 200, response.json()
    scenario.refresh_from_db()
    assert (scenario.key, scenario.title) == ("mfa-bypassed-twice", "MFA bypassed twice")
    # Saving a scenario under its own key again is not a clash with itself.
    assert api.put(detail(scenario), {"definition": changed}, format="json").status_code == 200


def test_put_with_a_bad_definition_changes_nothing(api, scenario):
    response = api.put(detail(scenario), {"definition": custom_definition(stresses=[])},
                       format="json")
    assert response.status_code == 400 and "definition.stresses" in errors(response)
    scenario.refresh_from_db()
    assert scenario.definition == custom_definition()


def test_delete_removes_it_and_records_who(api, buyer, scenario):
    assert api.delete(detail(scenario)).status_code == 204
    assert not Scenario.objects.exists()
    event = AuditEvent.objects.get(action="scenario.deleted")
    assert event.actor == buyer.user and event.data["key"] == "mfa-bypassed"


def test_patch_is_not_offered(api, scenario):
    assert api.patch(detail(scenario), {"definition": custom_definition()},
                     format="json").status_code == 405


def test_compliance_reads_scenarios_but_changes_none(compliance, scenario):
    client = api_client_for(compliance)
    assert client.get(URL).json()["count"] == 1
    assert client.get(detail(scenario)).status_code == 200
    assert client.post(URL, {"definition": custom_definition(key="x")},
                       format="json").status_code == 403
    assert client.put(detail(scenario), {"definition": custom_definition()},
                      format="json").status_code == 403
    assert client.delete(detail(scenario)).status_code == 403
    assert Scenario.objects.count() == 1


def test_an_outsider_neither_sees_nor_touches_another_organisations_scenario(
        outsider_api, scenario):
    assert outsider_api.get(URL).json()["count"] == 0
    made_up = outsider_api.get(detail(uuid.uuid4()))
    for method in ("get", "put", "delete"):
        response = getattr(outsider_api, method)(detail(scenario),
                                                 {"definition": custom_definition()}, format="json")
        assert response.status_code == 404 and response.json() == made_up.json()
    scenario.refresh_from_db()
    assert scenario.definition == custom_definition()


def test_an_outsider_may_use_the_same_key_in_their_own_organisation(outsider_api, scenario):
    assert outsider_api.post(URL, {"definition": custom_definition()},
                             format="json").status_code == 201
    assert Scenario.objects.filter(key="mfa-bypassed").count() == 2


def test_anonymous_callers_get_401(anonymous_api, scenario):
    assert anonymous_api.get(URL).status_code == 401
    assert anonymous_api.post(URL, {"definition": custom_definition()},
                              format="json").status_code == 401


def test_a_saved_scenario_runs_with_the_next_scoring_of_that_organisation_only(
        buyer, vendor, outsider, scenario):
    from tests.support.factories import VendorFactory

    _, run = scored(organization=buyer.organization, vendor=vendor,
                    template=small_template(buyer.organization))
    assert run.scenarios[-1]["key"] == "mfa-bypassed"
    other_org = outsider.organization
    _, theirs = scored(organization=other_org, vendor=VendorFactory(organization=other_org),
                       template=small_template(other_org))
    assert "mfa-bypassed" not in [result["key"] for result in theirs.scenarios]
