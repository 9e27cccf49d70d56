"""What the cross-tenant tests share: route discovery, the two seeded organisations, clients.

Used by test_tenancy_matrix.py (B's ids refused, routes without ids free of B's strings) and
test_canary_scan.py (A's own objects, PDFs, charts, exports and search free of B's strings).

Routes are discovered from django.urls.get_resolver() at run time, so an endpoint added
tomorrow is covered (or fails the coverage test until OBJECT_KINDS says what its id is).

Seeding: organisation B gets a unique tag (`CANARY` + 10 hex digits) in every piece of text
it owns; organisation A gets one of the same shape (`OWNTAG` + 10 hex digits) in the same
places, so that a test can show A's strings do reach an output where B's must not. The tag
is short enough to survive the charts' label truncation (24 characters in a graph box), so
a scan for the bare tag finds a B name even when a picture shortened it.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve

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
    name: str = ""              # the URL name, when the pattern has one

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
        route = Route(text, list(converters), converters, pattern.callback,
                      name=pattern.name or "")
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
    canaries: list[str]         # every labelled string, each starting with `tag`
    token: str = ""
    tag: str = ""

    @property
    def needles(self) -> list[str]:
        """What to look for: every full label, then the bare tag (which also finds a label
        a chart cut short, or one written lower-case into an e-mail address or a slug)."""
        return [*self.canaries, self.tag]


@dataclass(frozen=True)
class LookAlikes:
    """Names organisation A will use, which B also records in its own registry: were any
    lookup by name to cross organisations, A's graph would pick up B's tagged neighbours."""

    vendor: str       # A's vendor: B has an entity of that name, held by a B holder
    holder: str       # A's direct holder: one of B's competitors has it as an alias
    named_holder: str  # A's holder recorded by name: B has an entity of that name, with a B parent


def new_tag(prefix: str) -> str:
    """`prefix` (6 letters) and 10 hex digits: 16 characters, unique to one run."""
    assert len(prefix) == 6
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def scenario_definition(key: str, label) -> dict:
    """A valid custom scenario whose title, description, explanation and added holder are
    all tagged: scoring copies them into every score run of the organisation."""
    return {"key": key, "title": label("scenario"), "description": label("scenario-about"),
            "stresses": ["encryption", "ownership"],
            "changes": {"fail_controls": ["sec_encryption_at_rest"],
                        "add_stakes": [{"holder": label("scenario-holder"), "percent": 4}]},
            "explain": [label("scenario-explain") + " moves the score by {delta} points.",
                        "Check the contract."]}


def seed_organization(name: str, *, tag: str, lures: LookAlikes | None = None) -> Seeded:
    """One buyer with one object of each kind, every text field tagged with `tag`."""
    from questionnaires.assessments.models import (
        Comment,
        Evidence,
        Invitation,
        RemediationItem,
        Review,
    )
    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.audit.services import audit_record
    from questionnaires.authoring.importers import load_native
    from questionnaires.authoring.services.templates import template_create
    from questionnaires.ownership.models import Competitor, Entity, NeutralityEvent, Stake
    from questionnaires.ownership.services.neutrality import vendor_entity
    from questionnaires.ownership.services.stakes import StakeInput, vendor_stake_record
    from questionnaires.reports.models import Report
    from questionnaires.scoring.models import Scenario, ScoringJob
    from tests.support.factories import MembershipFactory, OrganizationFactory, VendorFactory, due_in
    from tests.support.reports import issue_answer_score, known_answers, known_spec

    canaries: list[str] = []

    def label(what: str) -> str:
        text = f"{tag}-{what}"
        canaries.append(text)
        return text

    org = OrganizationFactory(name=label("organisation"))
    members = {role: MembershipFactory(organization=org, role=role,
                                       user__username=f"{name}-{role}-{uuid.uuid4().hex[:6]}",
                                       user__first_name=label(role))
               for role in BUYER_ROLES}
    admin = members["admin"].user
    vendor = VendorFactory(organization=org, name=label("vendor"),
                           contact_email=f"{tag.lower()}@vendor.test", notes=label("notes"),
                           contact_name=label("contact"))
    holder = Entity.objects.create(organization=org, name=label("entity"))
    # The holder is this competitor under another name: the vendor is at risk, and the
    # findings (pages, API, report) name the competitor.
    competitor = Competitor.objects.create(organization=org, name=label("competitor"),
                                           aliases=[holder.name, *([lures.holder] if lures else [])])
    stake = Stake.objects.create(organization=org, holder=holder, subject=vendor_entity(vendor),
                                 percent=8, voting_percent=8, acquired_on=datetime.date(2024, 3, 1),
                                 source=label("stake-source"))
    # Recorded by name through the service, as the API and the stake form do.
    vendor_stake_record(vendor=vendor, by=admin, data=StakeInput(
        holder=label("named-holder"), holder_parent=label("parent"), percent=3,
        acquired_on=datetime.date(2024, 6, 1), source=label("named-source")))
    vendor.refresh_from_db()  # the stake re-analysed it: at risk (the competitor's 8%)
    # Before the scoring below, so the score run (and the report) carry the scenario.
    definition = scenario_definition(f"matrix-{name}", label)
    scenario = Scenario.objects.create(organization=org, key=definition["key"],
                                       title=definition["title"], definition=definition)
    spec = known_spec()
    spec["name"] = label("template")
    spec["description"] = label("template-about")
    spec["key"] = f"matrix-{name}"
    notes = spec["sections"][1]["questions"][1]
    assert notes["key"] == "seg_notes"
    notes["text"] = label("question")
    answers = known_answers()
    answers["seg_notes"] = (label("answer"), label("answer-comment"))
    built = issue_answer_score(organization=org, vendor=vendor, spec=spec, answers=answers,
                               by=admin, evidence_for="sec_soc2_report")
    assessment = built.assessment
    # The name is not part of the answers' digest: renaming keeps the score run current.
    Evidence.objects.filter(pk=built.evidence.pk).update(name=label("evidence.pdf"))
    draft_spec = dict(spec, key=f"matrix-draft-{name}", name=label("draft-template"))
    draft = template_create(spec=load_native(json.dumps(draft_spec)), organization=org,
                            source_format="native", publish=False)
    event = NeutralityEvent.objects.create(organization=org, vendor=vendor, from_status="neutral",
                                           to_status="at_risk", stake=stake,
                                           findings=[{"reason": label("finding")}])
    report = Report.objects.create(organization=org, assessment=assessment,
                                   score_run=built.score_run)
    question = assessment.template.questions.get(key="sec_encryption_at_rest")
    comment = Comment.objects.create(assessment=assessment, question=question,
                                     author=admin, author_label=label("comment-author"),
                                     body=label("comment"), internal=False)
    review = Review.objects.create(assessment=assessment, reviewer=members["reviewer"].user,
                                   decision="approve_with_conditions", note=label("review"))
    item = RemediationItem.objects.create(assessment=assessment, review=review,
                                          text=label("condition"), due_date=due_in(30))
    audit_record(organization=org, action="assessment.reminded", actor_label=label("audit-actor"),
                 obj=assessment, data={"note": label("audit-note")})
    # An open assessment whose invitation the vendor role uses.
    open_assessment, issued = assessment_issue(
        organization=org, vendor=vendor, template=assessment.template, due_date=due_in(14),
        respondents=[(f"{name}@vendor.test", label("respondent"))], by=admin)
    if lures is not None:
        _look_alikes(org, lures, label)
    objects = {
        "vendor": vendor, "assessment": assessment, "template": draft,
        "published_template": assessment.template, "evidence": Evidence.objects.get(
            pk=built.evidence.pk),
        "score_run": built.score_run, "scoring_job": ScoringJob.objects.filter(
            assessment=assessment).first(), "report": report, "scenario": scenario,
        "competitor": competitor, "entity": holder, "vendor_entity": stake.subject,
        "stake": stake, "comment": comment,
        "review": review, "remediation": item, "membership": members["reviewer"],
        "invitation": Invitation.objects.filter(assessment=assessment).first(),
        "neutrality_event": event, "answer": assessment.answers.first(),
        "open_assessment": open_assessment,
    }
    return Seeded(org, members, objects, canaries, token=issued[0].token, tag=tag)


def _look_alikes(org, lures: LookAlikes, label) -> None:
    from questionnaires.ownership.models import Entity, Stake

    twin = Entity.objects.create(organization=org, name=lures.vendor)
    Stake.objects.create(organization=org, subject=twin, percent=40, voting_percent=40,
                         holder=Entity.objects.create(organization=org, name=label("lure-holder")),
                         source=label("lure-source"))
    Entity.objects.create(organization=org, name=lures.named_holder,
                          parent=Entity.objects.create(organization=org, name=label("lure-parent")))


def seed(name: str, canary: bool) -> Seeded:
    """One organisation on its own, tagged `CANARY...` (the other organisation, whose
    strings must never show) or `OWNTAG...` (the acting one)."""
    return seed_organization(name, tag=new_tag("CANARY" if canary else "OWNTAG"))


def seed_world() -> tuple[Seeded, Seeded]:
    """(A, B). B is seeded first, so that everything of A - its stakes recorded by name, its
    scoring and scenarios, its report - is computed while all of B is in the database."""
    a_tag, b_tag = new_tag("OWNTAG"), new_tag("CANARY")
    b = seed_organization("b", tag=b_tag, lures=LookAlikes(
        vendor=f"{a_tag}-vendor", holder=f"{a_tag}-entity", named_holder=f"{a_tag}-named-holder"))
    a = seed_organization("a", tag=a_tag)
    return a, b


# --- Clients ---------------------------------------------------------------------------------
def clients(a: Seeded, *, raise_errors: bool = True):
    """(page clients, API clients) by role, acting for organisation A."""
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


def call(client, method: str, path: str):
    return getattr(client, method.lower())(path, data={} if method == "GET" else "{}",
                                           **({} if method == "GET" else
                                              {"content_type": "application/json"}))


def to_login(response) -> bool:
    return 300 <= response.status_code < 400 and (
        response.get("Location", "").startswith("/login/")
        or response.get("Location", "").startswith("/invite"))
