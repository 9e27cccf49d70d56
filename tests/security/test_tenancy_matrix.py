"""The cross-tenant matrix: every route the URL resolver knows, every method, every role.

Routes are discovered from django.urls.get_resolver() at run time, so an endpoint added
tomorrow is covered (or fails the coverage test until OBJECT_KINDS says what its id is).

Two organisations are seeded with one object of each kind. Acting as organisation A (admin,
reviewer, compliance), as an anonymous caller and as A's vendor holding an invitation:
- routes with object ids are filled with organisation B's objects: nothing may succeed, and
  buyers get 404 (or 405) - exactly what a made-up id gets, so existence cannot be inferred;
- routes without object ids must never show B's canary strings.

Route discovery and the seeding live in matrix.py, shared with test_canary_scan.py (which
fills the object routes with A's own objects and reads PDFs, spreadsheets and charts).
"""

from __future__ import annotations

import uuid

import pytest

from tests.security.bodies import read_body
from tests.security.matrix import (
    BUYER_ROLES,
    METHODS,
    NON_OBJECT_PARAMS,
    PUBLIC_ALLOW_LIST,
    ROLES,
    SESSION_ENDING,
    build_path,
    discover_routes,
    seed_world,
)
from tests.security.matrix import call as _call
from tests.security.matrix import clients as _clients
from tests.security.matrix import seed as _seed  # noqa: F401 - test_foreign_writes, test_schema_fuzz
from tests.security.matrix import to_login as _to_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset

    invite_bad_tries_reset(address="127.0.0.1")
    yield seed_world()
    invite_bad_tries_reset(address="127.0.0.1")


# --- Tests -----------------------------------------------------------------------------------
def test_every_route_with_an_id_parameter_is_mapped_to_an_object_kind():
    routes = discover_routes()
    problems = [r.problem for r in routes if r.problem]
    assert not problems, "\n".join(problems)
    assert sum(1 for r in routes if r.object_params) >= 10


def test_the_allow_list_names_only_routes_that_exist():
    known = {r.route.replace("^", "") for r in discover_routes()}
    stale = [route for route in PUBLIC_ALLOW_LIST if route not in known]
    assert not stale, f"allow-listed routes that no longer exist: {stale}"


def test_object_routes_refuse_the_other_organisations_objects_for_every_role_and_method(world):
    a, b = world
    pages, apis = _clients(a)
    routes = [r for r in discover_routes() if r.object_params and r.route not in PUBLIC_ALLOW_LIST]
    assert routes
    failures = []
    for route in routes:
        values = {p: str(b.objects[k].pk) for p, k in route.object_params.items()}
        values.update({p: NON_OBJECT_PARAMS[p] for p in route.params if p in NON_OBJECT_PARAMS})
        path = build_path(route, values)
        ghost = build_path(route, {**values, **{p: str(uuid.uuid4())
                                                 for p in route.object_params}})
        for role in ROLES:
            client = (apis if route.is_api else pages)[role]
            for method in METHODS:
                response = _call(client, method, path)
                status = response.status_code
                where = f"{role} {method} {path} [{route.route}] -> {status}"
                if status == 405:
                    continue
                if role in ("anonymous", "vendor") and not route.is_api and _to_login(response):
                    continue  # no user signed in (a portal session is not a login)
                if status < 400:
                    failures.append(f"SUCCESS on another organisation's object: {where}")
                    continue
                for canary in b.needles:
                    if canary in response.content.decode(errors="replace"):
                        failures.append(f"canary {canary} in error body: {where}")
                if role in BUYER_ROLES and status != 404:
                    # A role refusal is fine only if a made-up id gets the very same answer:
                    # otherwise the status tells that the object exists.
                    made_up = _call(client, method, ghost).status_code
                    if status != made_up:
                        failures.append(f"existence oracle: {where} but a made-up id -> "
                                        f"{made_up}")
    assert not failures, f"{len(failures)} cross-tenant failures:\n" + "\n".join(failures)


def test_routes_without_object_ids_never_show_the_other_organisations_canaries(world):
    a, b = world
    # A server error is not a leak (its body is Django's generic page); pages of other areas
    # still landing must not hide a leak on the routes after them.
    pages, apis = _clients(a, raise_errors=False)
    # Routes that end the session run last, so every other route is tried signed in.
    routes = sorted((r for r in discover_routes() if not r.object_params),
                    key=lambda r: r.route in SESSION_ENDING)
    leaks = []
    for route in routes:
        if any(p not in NON_OBJECT_PARAMS for p in route.params):
            continue  # token-credential routes, allow-listed
        path = build_path(route, {p: NON_OBJECT_PARAMS[p] for p in route.params})
        for role in ROLES:
            client = (apis if route.is_api else pages)[role]
            for method in METHODS:
                response = _call(client, method, path)
                # Decoded by type: the portfolio's XLSX is zipped, its canaries in no raw byte.
                for canary in read_body(response).find(b.needles):
                    leaks.append(f"{role} {method} {path} -> {response.status_code} shows "
                                 f"{canary}")
    assert not leaks, "\n".join(leaks)


def test_vendor_invitation_cannot_reach_another_organisations_evidence(world):
    a, b = world
    pages, apis = _clients(a)
    evidence = b.objects["evidence"]
    response = pages["vendor"].get(f"/portal/evidence/{evidence.pk}/")
    assert response.status_code == 404


def test_django_admin_refuses_every_role(world):
    a, _ = world
    pages, _ = _clients(a)
    for role in ROLES:
        response = pages[role].get("/admin/")
        assert response.status_code == 302, role
        assert response["Location"].startswith("/admin/login/"), role


def test_control_the_same_routes_serve_organisation_a_its_own_objects(world):
    """The matrix is not vacuous: filled with A's own objects, A's admin reads them."""
    a, _ = world
    # Other areas' pages may be half-built while they land: a 500 just is not "readable".
    pages, apis = _clients(a, raise_errors=False)
    readable, tried = [], 0
    for route in discover_routes():
        if not route.object_params or route.route in PUBLIC_ALLOW_LIST:
            continue
        values = {p: str(a.objects[k].pk) for p, k in route.object_params.items()}
        values.update({p: NON_OBJECT_PARAMS[p] for p in route.params if p in NON_OBJECT_PARAMS})
        client = (apis if route.is_api else pages)["admin"]
        tried += 1
        if client.get(build_path(route, values)).status_code == 200:
            readable.append(route.route)
    assert tried >= 20
    assert len(readable) >= tried // 3, f"only {readable} of {tried} object routes read back"


def test_control_lists_show_organisation_a_its_own_names(world):
    """The canary check would catch a leak: A's own seeded names do appear in A's lists."""
    a, _ = world
    pages, apis = _clients(a)
    name = a.objects["vendor"].name
    assert name in apis["admin"].get("/api/v1/vendors/").content.decode()
    assert name in pages["admin"].get("/").content.decode() or \
        name in pages["admin"].get("/api/v1/vendors/").content.decode()
