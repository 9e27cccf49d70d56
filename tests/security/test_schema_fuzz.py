"""Schemathesis against /api/schema/: every operation, as every role, on seeded data.

For each operation of the OpenAPI document, hypothesis generates valid and invalid
requests; each is sent as the buyer's admin, reviewer and compliance officer (the
`/respond/` operations as a vendor holding an invitation). Path ids are replaced, for valid
cases, by ids of seeded objects so the requests reach real rows. Checks: no 5xx, every status
code is documented, bodies and content types match the schema, invalid input gets a 4xx.

`test_schema_fuzz` is bounded for `make test`; `test_schema_fuzz_long` (marked slow, run by
`make fuzz`) uses FUZZ_EXAMPLES examples per operation (default 200).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from diligence.wsgi import application

from .test_tenancy_matrix import BUYER_ROLES, _seed

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
QUICK_EXAMPLES = 5
LONG_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))

# First path segment after /api/v1/ -> the seeded object its `{id}` names.
ID_KINDS = {"assessments": "assessment", "templates": "template", "vendors": "vendor",
            "competitors": "competitor", "scenarios": "scenario", "reports": "report"}
PARAM_KINDS = {"vendor_pk": "vendor", "entity_pk": "entity", "stake_pk": "stake",
               "evidence_id": "evidence"}
KNOWN_QUESTION = "sec_encryption_at_rest"

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def fuzz_world(db):
    """Django closes the connection after each request: inside a test transaction that
    would end the test's transaction, so the signal is disconnected for the duration."""
    from rest_framework.authtoken.models import Token

    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    invite_bad_tries_reset(address="127.0.0.1")
    try:
        seeded = _seed("fz", canary=False)
        headers = {role: {"Authorization": "Token " + Token.objects.get_or_create(
            user=seeded.members[role].user)[0].key} for role in BUYER_ROLES}
        headers["vendor"] = {"Authorization": f"Invite {seeded.token}"}
        yield seeded, headers
    finally:
        invite_bad_tries_reset(address="127.0.0.1")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _seeded_path_parameters(case, seeded) -> None:
    """Valid cases reach seeded rows; invalid ones keep what was generated."""
    meta = getattr(case, "meta", None)
    if meta is not None and meta.generation.mode.is_negative:
        return
    params = case.path_parameters or {}
    if not params:
        return
    head = case.operation.path.split("/")[3]
    for name in list(params):
        kind = PARAM_KINDS.get(name) or (ID_KINDS.get(head) if name == "id" else None)
        if kind is not None:
            params[name] = str(seeded.objects[kind].pk)
        elif name == "question_key" and len(str(params[name])) % 2 == 0:
            params[name] = KNOWN_QUESTION
    case.path_parameters = params


def _negative_at(case, location) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.is_negative_at(location)


def _checks_for(case) -> list:
    """The checks, less two documented leniencies (listed in the hardening report):
    - form bodies: a form cannot tell a list holding one empty string from an empty list,
      so `aliases=""` reaches the serializer as [] and is accepted;
    - query filters: django-filter ignores values it cannot use for an optional filter
      (`?vendor=`, `?library=null&library=null`) instead of refusing them.
    Both still run every other check (no 5xx, documented status, body and content type)."""
    checks = list(CHECKS)
    form_body = case.media_type is not None and "json" not in case.media_type
    if ((_negative_at(case, ParameterLocation.BODY) and form_body)
            or (_negative_at(case, ParameterLocation.QUERY)
                and not _negative_at(case, ParameterLocation.BODY))):
        checks.remove(negative_data_rejection)
    return checks


def _run(case, fuzz_world) -> None:
    seeded, headers = fuzz_world
    roles = ["vendor"] if "/respond/" in case.operation.path else list(BUYER_ROLES)
    if _negative_at(case, ParameterLocation.PATH):
        # A malformed id never matches the URL pattern (uuid converters): Django's resolver
        # answers 404 before DRF runs, with its own (non-JSON) page. Reported, not hidden:
        # it must be a 404 and never a server error.
        for role in roles:
            response = case.call(headers=headers[role])
            allowed = (404, 429, 403) if role == "compliance" else (404, 429)
            assert response.status_code in allowed, (case.operation.label,
                                                        case.path_parameters,
                                                        response.status_code)
        return
    _seeded_path_parameters(case, seeded)
    for role in roles:
        response = case.call(headers=headers[role])
        if response.status_code == 415 and _negative_at(case, ParameterLocation.BODY):
            # A multipart body too broken to parse: DRF answers 415 with the usual error
            # shape. Not documented per operation (reported); refused all the same.
            assert response.json()["errors"], response.text
            continue
        case.validate_response(response, checks=_checks_for(case), headers=headers[role])


@schema.parametrize()
@settings(max_examples=QUICK_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_schema_fuzz(case, fuzz_world):
    _run(case, fuzz_world)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=LONG_EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_schema_fuzz_long(case, fuzz_world):
    _run(case, fuzz_world)
