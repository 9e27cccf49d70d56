"""The cross-tenant matrix: every route the URL resolver knows, every method, every role.

Routes are discovered from django.urls.get_resolver() at run time, so an endpoint added
tomorrow is covered (or fails the coverage test until OBJECT_KINDS says what its id is).

Two organisations are seeded with one object of each kind. Acting as organisation A (admin,
reviewer, compliance), as an anonymous caller and as A's vendor holding an invitation:
- routes with object ids are filled with organisation B's objects: nothing may succeed, and
  buyers get 404 (or 405) - exactly what a made-up id gets, so existence cannot be inferred;
- routes without object ids must never show B's canary strings.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROLES = ("admin", "reviewer", "compliance", "anonymous", "vendor")
BUYER_ROLES = ("admin", "reviewer", "compliance")

# Routes reachable without an organisation by design. Everything else is in the matrix.
PUBLIC_ALLOW_LIST = {
    "healthz": "liveness probe, reports only service status",
    "login/": "the sign-in form",
    "logout/": "signing out",
    "api/schema/": "the OpenAPI schema, describes the contract not data",
    "api/docs/": "Swagger UI for the schema",
    "api/v1/auth/token/": "exchanges credentials for a token (tested by the auth area)",
    "invite/<str:token>": "the invitation confirm page; the token is the credential",
    "welcome/<uidb64>/<token>/": "set-password link for new members; signed token is the "
                                 "credential, its invalid-link page answers 200 by design",
    "api/v1/reports/verify/": "verifies an uploaded PDF against its embedded signature; "
                              "holds no tenant data (canary-checked anyway)",
}
ALLOW_LIST_PREFIXES = {
    "admin/": "Django admin, is_staff only; test_django_admin_refuses_every_role covers it",
    "static/": "static files",
    "media/": "never served by Django",
}

SESSION_ENDING = {"logout/", "portal/leave/"}

# Literal path segment before an id parameter -> kind of object (keys of Seeded.objects).
OBJECT_KINDS = {
    "templates": "template", "assessments": "assessment", "vendors": "vendor",
    "reports": "report", "scenarios": "scenario", "competitors": "competitor",
    "stakes": "stake", "entities": "entity", "evidence": "evidence", "members": "membership",
    "conditions": "remediation", "comments": "comment", "reviews": "review",
    "invitations": "invitation", "scores": "score_run", "score-runs": "score_run",
    "runs": "score_run", "jobs": "scoring_job", "neutrality-events": "neutrality_event",
    "events": "neutrality_event", "holdings": "stake", "owners": "stake",
    "remediation": "remediation", "items": "remediation", "answers": "answer",
}
# Parameter names that say the kind whatever the segment before them.
PARAM_KINDS = {"evidence_id": "evidence", "item_id": "remediation", "vendor_id": "vendor",
               "assessment_id": "assessment", "template_id": "template", "report_id": "report",
               "stake_id": "stake", "entity_id": "entity", "competitor_id": "competitor",
               "scenario_id": "scenario", "comment_id": "comment", "review_id": "review",
               "member_id": "membership", "invitation_id": "invitation",
               "vendor_pk": "vendor", "stake_pk": "stake", "entity_pk": "entity",
               "assessment_pk": "assessment", "template_pk": "template",
               "report_pk": "report", "competitor_pk": "competitor",
               "scenario_pk": "scenario", "evidence_pk": "evidence"}
# Parameters that are not object ids, and what to put in them.
NON_OBJECT_PARAMS = {"format": "json", "fmt": "json", "key": "sec_encryption_at_rest",
                     "question_key": "sec_encryption_at_rest"}
ID_NAMES = re.compile(r"^(pk|id|uuid|.*_id|.*_pk)$")


@dataclass
class Route:
    route: str                  # full route/regex as written
    params: list[str]
    converters: dict[str, str]  # param -> converter or regex
    callback: object
    object_params: dict[str, str] = field(default_factory=dict)  # param -> kind
    problem: str = ""

    @property
    def is_api(self) -> bool:
        return self.route.replace("^", "").startswith("api/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _params(route: str) -> dict[str, str]:
    found = {name: conv or "str" for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)}
    found.update({name: rx for name, rx in re.findall(r"\(\?P<(\w+)>([^)]*)\)", route)})
    return found


def _segment_before(route: str, param: str) -> str:
    clean = route.replace("^", "")
    at = re.search(rf"(<(\w+:)?{param}>|\(\?P<{param}>)", clean).start()
    segments = [s for s in clean[:at].split("/") if s]
    return segments[-1] if segments else ""


def _is_id(param: str, conv: str) -> bool:
    return (ID_NAMES.match(param) is not None or conv in ("uuid", "int")
            or "0-9a-fA-F-" in conv)


def discover_routes() -> list[Route]:
    routes = []
    for text, pattern in _walk(get_resolver().url_patterns):
        plain = text.replace("^", "")
        if any(plain.startswith(p) for p in ALLOW_LIST_PREFIXES):
            continue
        converters = _params(text)
        route = Route(text, list(converters), converters, pattern.callback)
        for param, conv in converters.items():
            if param in NON_OBJECT_PARAMS:
                continue
            kind = PARAM_KINDS.get(param) or (
                OBJECT_KINDS.get(_segment_before(text, param)) if _is_id(param, conv) else None)
            if kind is None and text not in PUBLIC_ALLOW_LIST:
                route.problem = (f"route {text!r}: parameter {param!r} ({conv}) is not mapped "
                                 "to an object kind in OBJECT_KINDS/PARAM_KINDS/NON_OBJECT_PARAMS")
            elif kind is not None:
                route.object_params[param] = kind
        routes.append(route)
    return routes


def build_path(route: Route, values: dict[str, str]) -> str:
    text = route.route
    for param, value in values.items():
        text = re.sub(rf"\(\?P<{param}>[^)]*\)", lambda _m, v=value: v, text)
        text = re.sub(rf"<(?:\w+:)?{param}>", lambda _m, v=value: v, text)
    text = text.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    path = "/" + text
    match = resolve(path)
    assert match.func == route.callback or getattr(match.func, "cls", 1) == getattr(
        route.callback, "cls", 2), f"{path} does not resolve back to {route.route}"
    return path


# --- Seeding ---------------------------------------------------------------------------------
@dataclass
class Seeded:
    organization: object
    members: dict
    objects: dict
    canaries: list[str]
    token: str = ""


def _seed(name: str, canary: bool) -> Seeded:
    from questionnaires.importers import load_native
    from questionnaires.models import (
        Comment,
        Competitor,
        Entity,
        Invitation,
        NeutralityEvent,
        RemediationItem,
        Report,
        Review,
        Scenario,
        ScoringJob,
        Stake,
    )
    from questionnaires.services.assessments import assessment_issue
    from questionnaires.services.ownership import vendor_entity
    from questionnaires.services.templates import template_create
    from tests.factories import MembershipFactory, OrganizationFactory, VendorFactory, due_in
    from tests.reports.builders import issue_answer_score, known_answers, known_spec

    tag = f"CANARY-{uuid.uuid4().hex}" if canary else f"plain-{name}"
    canaries = []

    def label(what: str) -> str:
        text = f"{tag}-{what}"
        canaries.append(text)
        return text

    org = OrganizationFactory(name=f"Org {name} {uuid.uuid4().hex[:6]}")
    members = {role: MembershipFactory(organization=org, role=role,
                                       user__username=f"{name}-{role}-{uuid.uuid4().hex[:6]}")
               for role in BUYER_ROLES}
    vendor = VendorFactory(organization=org, name=label("vendor"),
                           contact_email=f"{tag.lower()}@vendor.test", notes=label("notes"))
    competitor = Competitor.objects.create(organization=org, name=label("competitor"))
    holder = Entity.objects.create(organization=org, name=label("entity"))
    stake = Stake.objects.create(organization=org, holder=holder, subject=vendor_entity(vendor),
                                 percent=8, voting_percent=8, acquired_on=datetime.date(2024, 3, 1),
                                 source=label("stake-source"))
    spec = known_spec()
    spec["name"] = label("template")
    spec["key"] = f"matrix-{name}"
    built = issue_answer_score(organization=org, vendor=vendor, spec=spec,
                               answers=known_answers(), by=members["admin"].user,
                               evidence_for="sec_soc2_report")
    assessment = built.assessment
    draft_spec = dict(spec, key=f"matrix-draft-{name}", name=label("draft-template"))
    draft = template_create(spec=load_native(json.dumps(draft_spec)), organization=org,
                            source_format="native", publish=False)
    event = NeutralityEvent.objects.create(organization=org, vendor=vendor, from_status="neutral",
                                           to_status="at_risk", stake=stake,
                                           findings=[{"reason": label("finding")}])
    report = Report.objects.create(organization=org, assessment=assessment,
                                   score_run=built.score_run)
    scenario = Scenario.objects.create(organization=org, key=f"matrix-{name}",
                                       title=label("scenario"), definition={"changes": []})
    question = assessment.template.questions.get(key="sec_encryption_at_rest")
    comment = Comment.objects.create(assessment=assessment, question=question,
                                     author=members["admin"].user, author_label="x",
                                     body=label("comment"), internal=False)
    review = Review.objects.create(assessment=assessment, reviewer=members["reviewer"].user,
                                   decision="approve_with_conditions", note=label("review"))
    item = RemediationItem.objects.create(assessment=assessment, review=review,
                                          text=label("condition"), due_date=due_in(30))
    # An open assessment whose invitation the vendor role uses.
    open_assessment, issued = assessment_issue(
        organization=org, vendor=vendor, template=assessment.template, due_date=due_in(14),
        respondents=[(f"{name}@vendor.test", "Vera")], by=members["admin"].user)
    objects = {
        "vendor": vendor, "assessment": assessment, "template": draft,
        "published_template": assessment.template, "evidence": built.evidence,
        "score_run": built.score_run, "scoring_job": ScoringJob.objects.filter(
            assessment=assessment).first(), "report": report, "scenario": scenario,
        "competitor": competitor, "entity": holder, "stake": stake, "comment": comment,
        "review": review, "remediation": item, "membership": members["reviewer"],
        "invitation": Invitation.objects.filter(assessment=assessment).first(),
        "neutrality_event": event, "answer": assessment.answers.first(),
        "open_assessment": open_assessment,
    }
    return Seeded(org, members, objects, canaries, token=issued[0].token)


@pytest.fixture
def world():
    from questionnaires.services.invite_limits import invite_bad_tries_reset

    invite_bad_tries_reset(address="127.0.0.1")
    a = _seed("a", canary=False)
    b = _seed("b", canary=True)
    yield a, b
    invite_bad_tries_reset(address="127.0.0.1")


def _clients(a: Seeded, *, raise_errors: bool = True):
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    pages, apis = {}, {}
    for role in BUYER_ROLES:
        page = Client()
        page.force_login(a.members[role].user)
        pages[role] = page
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=a.members[role].user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        apis[role] = api
    pages["anonymous"], apis["anonymous"] = Client(), APIClient()
    portal = Client()
    assert portal.post(f"/invite/{a.token}").status_code == 302
    pages["vendor"] = portal
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Invite {a.token}")
    apis["vendor"] = api
    for client in (*pages.values(), *apis.values()):
        client.raise_request_exception = raise_errors
    return pages, apis


def _call(client, method: str, path: str):
    return getattr(client, method.lower())(path, data={} if method == "GET" else "{}",
                                           **({} if method == "GET" else
                                              {"content_type": "application/json"}))


def _to_login(response) -> bool:
    return 300 <= response.status_code < 400 and (
        response.get("Location", "").startswith("/login/")
        or response.get("Location", "").startswith("/invite"))


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
                for canary in b.canaries:
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
                if response.streaming:
                    body = b"".join(response.streaming_content).decode(errors="replace")
                else:
                    body = response.content.decode(errors="replace")
                for canary in b.canaries:
                    if canary in body:
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
    assert "plain-a-vendor" in apis["admin"].get("/api/v1/vendors/").content.decode()
    assert "plain-a-vendor" in pages["admin"].get("/").content.decode() or \
        "plain-a-vendor" in pages["admin"].get("/api/v1/vendors/").content.decode()
