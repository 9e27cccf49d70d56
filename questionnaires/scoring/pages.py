"""Buyer pages for custom stress-test scenarios: the list (the buyer's own beside the
built-in library), and one page to write a new scenario or change one, as YAML or JSON in
a text area, refused with every problem located (`definition.changes.fail_controls[0]`).

Every lookup is scoped to the caller's organisation, so another tenant's scenario is a
404. Compliance sees the lists and the definitions and changes nothing (403 on a post).
"""

from __future__ import annotations

import json

import yaml
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionnaires.core.decorators import member_required
from questionnaires.core.errors import DomainError
from questionnaires.scoring import load_library_scenarios
from questionnaires.scoring.models import Scenario
from questionnaires.scoring.scenario_data import PLACEHOLDERS, SCHEMA_PATH
from questionnaires.scoring.services.scenarios import (
    DEFINITION_MAX_BYTES,
    MAX_SCENARIOS,
    scenario_create,
    scenario_delete,
    scenario_parse_text,
    scenario_update,
)

# What a new scenario starts from: an event a buyer is likely to want, on questions of the
# built-in questionnaire. The reference beside the text area lists the rest of the shape.
STARTER = """\
key: security-lead-leaves
title: "The vendor's security lead leaves without a handover"
description: >
  The one person who runs the vendor's incident response resigns. What the team
  practised in its drills left with them, so the plan is counted as never exercised
  until a successor has run one.
stresses: [workforce, knowledge_concentration, incident_notification]
changes:
  override_answers:
    wf_knowledge_concentration: "yes"
  fail_controls: [ir_plan_exercised]
explain:
  - "Without its security lead the vendor's score moves by {delta} points to {overall}, {tier} risk."
  - "Ask who deputises for each security role, and whether the deputy has run an incident drill."
"""


class ScenarioForm(forms.Form):
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        max_length=DEFINITION_MAX_BYTES, strip=False,
        help_text="YAML or JSON. Keys of questions a template lacks are ignored when the "
                  "scenario runs, so one scenario can serve several questionnaires.")


def _own(request, pk) -> Scenario:
    return get_object_or_404(Scenario, organization=request.membership.organization, pk=pk)


def _as_text(definition: object) -> str:
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=88)


def _reference() -> dict:
    """What the page shows beside the text area: the placeholders and the areas."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return {"placeholders": PLACEHOLDERS.items(), "areas": schema["$defs"]["area"]["enum"]}


@require_GET
@member_required
def scenarios_list(request):
    own = Scenario.objects.filter(organization=request.membership.organization).order_by(
        "title", "key")
    return render(request, "workspace/scenarios/list.html", {
        "own": own, "library": load_library_scenarios(), "limit": MAX_SCENARIOS})


@require_http_methods(["GET", "POST"])
def scenario_new(request):
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def scenario_edit(request, pk):
    return _edit(request, pk)


@member_required
def _edit(request, pk):
    scenario = _own(request, pk) if pk is not None else None
    if request.method == "POST" and not request.membership.can_write:
        raise PermissionDenied("Your role may read but not change this.")
    posted = request.method == "POST"
    initial = _as_text(scenario.definition) if scenario is not None else STARTER
    form = ScenarioForm(request.POST if posted else None, initial={"definition": initial})
    problems: list[dict] = []
    if posted and form.is_valid():
        try:
            definition = scenario_parse_text(form.cleaned_data["definition"])
            if scenario is None:
                saved = scenario_create(organization=request.membership.organization,
                                        definition=definition, by=request.user)
            else:
                saved = scenario_update(scenario=scenario, definition=definition,
                                        by=request.user)
        except DomainError as error:
            problems = error.details or [{"field": error.field, "message": error.message}]
        else:
            messages.success(request, f"Saved: {saved.title}. It runs with every scoring "
                                      "from now on.")
            return redirect("workspace:scenarios-edit", pk=saved.pk)
    return render(request, "workspace/scenarios/edit.html", {
        "scenario": scenario, "form": form, "problems": problems, **_reference(),
    }, status=400 if posted and (problems or form.errors) else 200)


@require_POST
@member_required(write=True)
def scenario_delete_page(request, pk):
    scenario = _own(request, pk)
    scenario_delete(scenario=scenario, by=request.user)
    messages.success(request, f"Deleted: {scenario.title}. Score runs keep their results.")
    return redirect("workspace:scenarios-list")
