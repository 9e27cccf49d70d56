"""A buyer's own stress-test scenarios: validated when saved, run with every scoring.

A definition is the same data as a library scenario (scoring/scenario.schema.json). It is
checked with `load_scenario` when saved, so a person sees every problem at once, located
(`definition.changes.add_stakes[0].percent`), and a stored definition is one the engine
accepts. What is stored is what the buyer wrote; defaults are filled in when it runs.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction

from questionnaires.audit.services import audit_record
from questionnaires.authoring.importers.safe_yaml import MAX_DEPTH, YamlRefused, yaml_load
from questionnaires.core.errors import DomainError
from questionnaires.core.models import Organization
from questionnaires.scoring import ScenarioError, load_library_scenarios, load_scenario
from questionnaires.scoring.models import Scenario

# Every scoring runs every scenario of the buyer's (the library's six included), and a
# scenario costs about one more scoring: 50 keeps a 500-question assessment's scoring
# within a few seconds, far inside the task's soft time limit.
MAX_SCENARIOS = 50
# A definition is a few hundred bytes; this leaves room for long answer overrides while
# keeping one row (read by every scoring of the organisation) small.
DEFINITION_MAX_BYTES = 64 * 1024


def scenario_parse_text(text: str) -> object:
    """A definition typed into the page or sent as text to the API: YAML, or JSON (which
    YAML reads too), through the one safe loader (no aliases, bounded depth and
    size)."""
    try:
        return yaml_load(text, max_bytes=DEFINITION_MAX_BYTES)
    except YamlRefused as refused:
        where = f" at line {refused.line}" if refused.line is not None else ""
        if refused.problem is not None:  # not YAML at all
            where += f", column {refused.column}" if refused.column is not None else ""
            raise DomainError(f"not valid YAML or JSON{where}: {refused.problem}",
                              field="definition") from None
        raise DomainError(f"the definition was refused{where}: {refused.message}",
                          field="definition") from None


def scenario_validate(*, organization: Organization, definition: object,
                      instance: Scenario | None = None) -> dict[str, Any]:
    """The definition with defaults filled in, or DomainError listing every problem."""
    if _deeper_than(definition, MAX_DEPTH):
        raise DomainError(f"the definition is nested more than {MAX_DEPTH} levels deep",
                          field="definition")
    try:
        size = len(json.dumps(definition, default=str).encode())
    except (TypeError, ValueError):
        size = DEFINITION_MAX_BYTES + 1
    if size > DEFINITION_MAX_BYTES:
        raise DomainError(f"the definition is over {DEFINITION_MAX_BYTES // 1024} KB",
                          field="definition")
    try:
        scenario = load_scenario(definition)
    except ScenarioError as error:
        details = [{"field": _located(problem["field"]), "message": problem["message"]}
                   for problem in error.errors]
        raise DomainError(f"{len(details)} problem(s) in the scenario",
                          details=details) from None
    key = scenario["key"]
    if key in _library_keys():
        raise DomainError(f"'{key}' is the key of a built-in scenario; choose another",
                          field="definition.key")
    taken = Scenario.objects.filter(organization=organization, key=key)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise DomainError(f"your organisation already has a scenario with the key '{key}'",
                          field="definition.key")
    return scenario


def _deeper_than(value: object, limit: int) -> bool:
    """Whether lists and mappings nest more than ``limit`` deep (without recursion, so a
    value nested far past Python's recursion limit is measured too)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1)
                         for child in (item.values() if isinstance(item, dict) else item))
    return False


def _located(field: str | None) -> str:
    return f"definition.{field}" if field else "definition"


def _library_keys() -> set[str]:
    return {scenario["key"] for scenario in load_library_scenarios()}


@transaction.atomic
def scenario_create(*, organization: Organization, definition: object, by=None) -> Scenario:
    # The organisation row lock makes the count check hold against a concurrent create.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if Scenario.objects.filter(organization=organization).count() >= MAX_SCENARIOS:
        raise DomainError(f"at most {MAX_SCENARIOS} scenarios per organisation; delete one "
                          "you no longer need", field=None)
    scenario = scenario_validate(organization=organization, definition=definition)
    row = _save(Scenario(organization=organization), scenario, definition)
    audit_record(organization=organization, action="scenario.created", actor=by, obj=row,
                 data={"key": row.key, "title": row.title})
    return row


@transaction.atomic
def scenario_update(*, scenario: Scenario, definition: object, by=None) -> Scenario:
    row = Scenario.objects.select_for_update().get(pk=scenario.pk)
    validated = scenario_validate(organization=row.organization, definition=definition,
                                  instance=row)
    before = row.key
    row = _save(row, validated, definition)
    audit_record(organization=row.organization, action="scenario.edited", actor=by, obj=row,
                 data={"key": row.key, "title": row.title, "previous_key": before})
    return row


def _save(row: Scenario, scenario: dict[str, Any], definition: object) -> Scenario:
    row.key, row.title, row.definition = scenario["key"], scenario["title"], definition
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent save took the key between the check and now
        raise DomainError(f"your organisation already has a scenario with the key "
                          f"'{row.key}'", field="definition.key") from None
    return row


@transaction.atomic
def scenario_delete(*, scenario: Scenario, by=None) -> None:
    audit_record(organization=scenario.organization, action="scenario.deleted", actor=by,
                 obj=scenario, data={"key": scenario.key, "title": scenario.title})
    scenario.delete()


def scenarios_for_scoring(*, organization: Organization) -> list[dict[str, Any]]:
    """The library's scenarios, then the organisation's own by key (1 query).

    Raises ScenarioError, naming the scenario, for a stored definition that no longer
    validates (written around the service, or by an older schema)."""
    scenarios = load_library_scenarios()
    for row in Scenario.objects.filter(organization=organization).order_by("key"):
        try:
            scenarios.append(load_scenario(row.definition))
        except ScenarioError as error:
            raise ScenarioError(error.errors, source=f"custom scenario '{row.key}'") from None
    return scenarios
