"""The buyer's scenario pages: a list beside the built-in ones, a text area of YAML or JSON
refused with every problem located, compliance reading only, outsiders seeing nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from questionnaires.scoring.models import Scenario
from questionnaires.scoring.pages import STARTER
from tests.support.scoring import custom_definition

pytestmark = pytest.mark.django_db


def login(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture
def page(client, buyer):
    return login(client, buyer)


@pytest.fixture
def scenario(buyer):
    from questionnaires.scoring.services.scenarios import scenario_create

    return scenario_create(organization=buyer.organization, definition=custom_definition())


def edit_url(scenario) -> str:
    return reverse("workspace:scenarios-edit", args=[scenario.pk])


def assert_csp_safe(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag and "nonce=" in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)


def test_the_list_shows_the_organisations_scenarios_and_the_built_in_ones(page, scenario):
    response = page.get(reverse("workspace:scenarios-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Phishing bypasses MFA" in html and edit_url(scenario) in html
    assert "A competitor takes control of the vendor" in html  # the library's
    assert reverse("workspace:scenarios-new") in html
    assert_csp_safe(html)


def test_the_new_page_starts_from_a_valid_example(page, buyer):
    from questionnaires.scoring.services.scenarios import scenario_parse_text, scenario_validate

    response = page.get(reverse("workspace:scenarios-new"))
    assert response.status_code == 200
    assert "security-lead-leaves" in response.content.decode()
    assert_csp_safe(response.content.decode())
    starter = scenario_validate(organization=buyer.organization,
                                definition=scenario_parse_text(STARTER))
    assert starter["key"] == "security-lead-leaves"


def test_yaml_typed_into_the_page_becomes_a_scenario(page, buyer):
    response = page.post(reverse("workspace:scenarios-new"), {"definition": STARTER})
    scenario = Scenario.objects.get(organization=buyer.organization)
    assert response.status_code == 302 and response["Location"] == edit_url(scenario)
    assert scenario.key == "security-lead-leaves"
    assert scenario.definition["changes"]["fail_controls"] == ["ir_plan_exercised"]


def test_json_is_accepted_too(page, buyer):
    text = json.dumps(custom_definition(key="as-json"), indent=2)
    assert page.post(reverse("workspace:scenarios-new"), {"definition": text}).status_code == 302
    assert Scenario.objects.get(organization=buyer.organization).key == "as-json"


def test_a_definition_with_problems_is_shown_again_with_each_one_located(page):
    text = STARTER.replace("fail_controls: [ir_plan_exercised]", "fail_controls: ir_plan_exercised")
    text = text.replace("stresses: [", "stresses: [weather, ")
    response = page.post(reverse("workspace:scenarios-new"), {"definition": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<code>definition.changes.fail_controls</code>" in html
    assert "<code>definition.stresses[0]</code>" in html and "weather" in html
    assert "security-lead-leaves" in html  # what was typed is kept
    assert not Scenario.objects.exists()


def test_text_that_is_not_yaml_is_refused_with_its_line(page):
    response = page.post(reverse("workspace:scenarios-new"), {"definition": "key: [unclosed\n"})
    assert response.status_code == 400
    assert "not valid YAML or JSON at line 2" in response.content.decode()


def test_editing_shows_the_definition_and_saves_a_change(page, scenario):
    response = page.get(edit_url(scenario))
    assert response.status_code == 200 and "key: mfa-bypassed" in response.content.decode()
    text = response.context["form"]["definition"].value().replace(
        "Phishing bypasses MFA", "Push fatigue beats MFA")
    assert page.post(edit_url(scenario), {"definition": text}).status_code == 302
    scenario.refresh_from_db()
    assert scenario.title == "Push fatigue beats MFA"


def test_deleting_from_the_list(page, scenario):
    response = page.post(reverse("workspace:scenarios-delete", args=[scenario.pk]))
    assert response.status_code == 302 and not Scenario.objects.exists()


def test_compliance_reads_a_definition_but_cannot_save_or_delete(client, compliance, scenario):
    login(client, compliance)
    response = client.get(edit_url(scenario))
    html = response.content.decode()
    assert response.status_code == 200 and "mfa-bypassed" in html
    assert "<textarea" not in html and "may read scenarios but not change them" in html
    assert client.get(reverse("workspace:scenarios-list")).status_code == 200
    assert client.post(edit_url(scenario), {"definition": STARTER}).status_code == 403
    assert client.post(reverse("workspace:scenarios-new"), {"definition": STARTER}).status_code == 403
    assert client.post(reverse("workspace:scenarios-delete", args=[scenario.pk])).status_code == 403
    assert Scenario.objects.count() == 1


def test_an_outsider_gets_404_for_another_organisations_scenario(client, outsider, scenario):
    login(client, outsider)
    assert client.get(edit_url(scenario)).status_code == 404
    assert client.post(edit_url(scenario), {"definition": STARTER}).status_code == 404
    assert client.post(reverse("workspace:scenarios-delete", args=[scenario.pk])).status_code == 404
    assert "Phishing bypasses MFA" not in client.get(
        reverse("workspace:scenarios-list")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, scenario):
    response = client.get(reverse("workspace:scenarios-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
