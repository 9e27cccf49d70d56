"""The demo data `manage.py demo` loads: fictional names, idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from questionnaires.core.models import Membership, Organization
from questionnaires.ownership.models import Competitor, Vendor

DEMO_PASSWORD = "diligence-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = [("alice", "admin"), ("rob", "reviewer"), ("cora", "compliance")]
DEMO_VENDORS = [
    {"name": "LabelWorks", "country": "US", "criticality": "critical",
     "services": ["annotation", "rlhf"], "data_categories": ["training_data", "label_schemas"],
     "website": "https://labelworks.example", "contact_name": "Lena Park",
     "contact_email": "lena@labelworks.example"},
    {"name": "Annotada", "country": "ES", "criticality": "high",
     "services": ["annotation", "evaluation"],
     "data_categories": ["training_data", "evaluation_sets"],
     "website": "https://annotada.example", "contact_name": "Jesús Núñez",
     "contact_email": "jesus@annotada.example"},
    {"name": "TruthSet", "country": "GB", "criticality": "medium",
     "services": ["evaluation", "red_teaming"], "data_categories": ["model_outputs"],
     "website": "https://truthset.example", "contact_name": "Sam Okafor",
     "contact_email": "sam@truthset.example"},
]


@dataclass
class DemoResult:
    organization: Organization
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def demo_load() -> DemoResult:
    """Create (or find) the demo buyer, its people, its competitor and its vendors."""
    organization, _ = Organization.objects.get_or_create(name="Acme Labs",
                                                         defaults={"kind": "buyer"})
    result = DemoResult(organization=organization)
    User = get_user_model()
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@acme-labs.example"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, defaults={"organization": organization,
                                                              "role": role})
        result.logins.append((username, DEMO_PASSWORD, role))
    Competitor.objects.get_or_create(
        organization=organization, name="Orbital Dynamics",
        defaults={"aliases": ["Orbital", "Orbital Dynamics Inc."]})
    for data in DEMO_VENDORS:
        Vendor.objects.get_or_create(organization=organization, name=data["name"],
                                     defaults={k: v for k, v in data.items() if k != "name"})
    return result


# LabelWorks' answers that differ from the best one: the demo shows flags and scenarios
# that matter, not a spotless vendor.
DEMO_WEAK_ANSWERS = {"ir_notification_hours": 96, "wf_shared_annotator_pools": "yes",
                     "own_model_builder_equity": "no", "exit_days_orderly": 75}


def _best_option(question) -> str:
    return max(question.options, key=lambda o: (o.get("score") or 0))["key"]


def _number_answer(question) -> float:
    bands = sorted(question.bands, key=lambda b: -(b.get("score") or 0))
    value = bands[0]["min"] if bands and bands[0].get("min") is not None else 10
    if question.min_value is not None:
        value = max(value, question.min_value)
    if question.max_value is not None:
        value = min(value, question.max_value)
    return value


def _demo_answer(question):
    import datetime

    from django.utils import timezone

    if question.key in DEMO_WEAK_ANSWERS:
        return DEMO_WEAK_ANSWERS[question.key]
    kind = question.kind
    if kind in ("yes_no", "single_choice"):
        return _best_option(question)
    if kind == "multi_choice":
        return [_best_option(question)]
    if kind == "number":
        return _number_answer(question)
    if kind == "date":
        return (timezone.localdate() - datetime.timedelta(days=120)).isoformat()
    if kind in ("short_text", "long_text"):
        return "Documented in LabelWorks' information security policy, version 3.2 (Müller & Søn audit)."
    return None


def _demo_ownership(organization: Organization) -> None:
    """Orbital Dynamics reaches LabelWorks through its venture fund: 30% of a fund that
    holds 40% of the vendor = 12% effective, an at-risk finding with a path."""
    import datetime

    from questionnaires.ownership.models import Stake
    from questionnaires.ownership.services.neutrality import (
        entity_resolve,
        neutrality_refresh,
        vendor_entity,
    )

    vendor = Vendor.objects.get(organization=organization, name="LabelWorks")
    target = vendor_entity(vendor)
    if Stake.objects.filter(subject=target).exists():
        return
    fund = entity_resolve(organization=organization, name="Orbital Ventures LP", kind="fund")
    parent = entity_resolve(organization=organization, name="Orbital Dynamics", kind="company")
    founders = entity_resolve(organization=organization, name="LabelWorks founders",
                              kind="person")
    today = datetime.date.today()
    Stake.objects.create(organization=organization, holder=parent, subject=fund, percent=30,
                         acquired_on=today - datetime.timedelta(days=900), source="fund filing")
    Stake.objects.create(organization=organization, holder=fund, subject=target, percent=40,
                         board_seats=0, observer_seats=1,
                         acquired_on=today - datetime.timedelta(days=200),
                         source="press release")
    Stake.objects.create(organization=organization, holder=founders, subject=target, percent=60,
                         board_seats=3, acquired_on=today - datetime.timedelta(days=2000),
                         source="vendor's own answer")
    neutrality_refresh(vendor=vendor, by=None)


def _demo_assessment(organization: Organization, result: DemoResult):
    import datetime

    from django.utils import timezone

    from questionnaires.assessments.models import Assessment
    from questionnaires.assessments.services.lifecycle import (
        answer_save,
        assessment_issue,
        assessment_submit,
        current_answers,
    )
    from questionnaires.authoring.models import Template
    from questionnaires.authoring.services.library import library_load
    from questionnaires.authoring.services.templates import compiled_template

    library_load()
    vendor = Vendor.objects.get(organization=organization, name="LabelWorks")
    existing = (Assessment.objects.filter(organization=organization, vendor=vendor,
                                          template__key="ai-labeling-neutrality")
                .order_by("-created_at").first())
    if existing is not None and existing.status != Assessment.Status.CANCELLED:
        return existing
    template = (Template.objects.filter(organization=None, key="ai-labeling-neutrality",
                                        status=Template.Status.PUBLISHED)
                .order_by("-version").first())
    alice = Membership.objects.select_related("user").get(organization=organization,
                                                          role="admin").user
    assessment, _ = assessment_issue(
        organization=organization, vendor=vendor, template=template,
        due_date=timezone.localdate() + datetime.timedelta(days=21),
        respondents=[(vendor.contact_email, vendor.contact_name)], by=alice)
    compiled = compiled_template(template)
    questions = {q.key: q for q in template.questions.all()}
    respondent = vendor.contact_email
    # Answer whatever is visible until nothing new appears (follow-ups open as we go).
    while True:
        values = {k: a.value for k, a in current_answers(assessment).items()}
        visible = compiled.visibility(values)
        todo = [k for k in compiled.question_keys
                if visible.get(k) and k not in values
                and _demo_answer(questions[k]) is not None]
        if not todo:
            break
        for key in todo:
            answer_save(assessment=assessment, question_key=key,
                        value=_demo_answer(questions[key]), comment="", version=0,
                        by=respondent)
    assessment_submit(assessment=assessment, by=respondent)
    result.notes.append(f"Issued, answered and submitted: {template.name} for LabelWorks.")
    return assessment


# Annotada's re-check was issued this many days ago and is due in DEMO_DUE_IN_DAYS: its
# "3 days left" reminder is due, so the scheduler (celery beat, or run_scheduler without
# Redis) has real work on a fresh demo and sends it within its period.
DEMO_ISSUED_DAYS_AGO = 10
DEMO_DUE_IN_DAYS = 3


def _demo_open_assessment(organization: Organization, result: DemoResult):
    """An open assessment whose first reminder is due today: issued (in the demo's story)
    ten days ago, due in three, not answered yet."""
    import datetime

    from django.utils import timezone

    from questionnaires.assessments.models import Assessment, Invitation
    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.authoring.models import Template

    vendor = Vendor.objects.get(organization=organization, name="Annotada")
    key = "rapid-neutrality-recheck"
    if Assessment.objects.filter(organization=organization, vendor=vendor,
                                 template__key=key).exists():
        return
    template = (Template.objects.filter(organization=None, key=key,
                                        status=Template.Status.PUBLISHED)
                .order_by("-version").first())
    alice = Membership.objects.select_related("user").get(organization=organization,
                                                          role="admin").user
    due = timezone.localdate() + datetime.timedelta(days=DEMO_DUE_IN_DAYS)
    assessment, _ = assessment_issue(
        organization=organization, vendor=vendor, template=template, due_date=due,
        respondents=[(vendor.contact_email, vendor.contact_name)], by=alice)
    issued_at = timezone.now() - datetime.timedelta(days=DEMO_ISSUED_DAYS_AGO)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=issued_at, sent_at=issued_at)
    Invitation.objects.filter(assessment=assessment).update(created_at=issued_at)
    result.notes.append(f"Issued to Annotada: {template.name}, due {due:%d %B %Y}; its "
                        "reminder is due, and the scheduler sends it.")


def demo_full() -> DemoResult:
    """The whole way: buyer, vendors with ownership, the built-in questionnaire issued and
    answered, scored with scenarios, and a PDF report written."""
    from questionnaires.reports.models import Report
    from questionnaires.reports.services import report_render, report_request
    from questionnaires.scoring.models import ScoreRun, ScoringJob
    from questionnaires.scoring.services.runs import scoring_run

    result = demo_load()
    organization = result.organization
    _demo_ownership(organization)
    assessment = _demo_assessment(organization, result)
    _demo_open_assessment(organization, result)
    assessment.refresh_from_db()
    if not ScoreRun.objects.filter(assessment=assessment).exists():
        # Without a running worker (REDIS_URL set, worker not started yet) score here.
        for job in ScoringJob.objects.filter(assessment=assessment).exclude(status="done"):
            scoring_run(job_id=job.pk)
    run = ScoreRun.objects.filter(assessment=assessment).first()
    if run is not None:
        result.notes.append(f"Score: {run.overall:.1f} ({run.tier} risk), "
                            f"{len(run.scenarios)} stress-test scenarios.")
    report = Report.objects.filter(assessment=assessment, status="ready").first()
    if report is None:
        alice = Membership.objects.get(organization=organization, role="admin").user
        report = report_request(assessment=assessment, by=alice)
        report.refresh_from_db()
        if report.status != "ready":
            report = report_render(report_id=str(report.pk)) or report
    if report.status == "ready":
        result.notes.append(f"PDF report: {report.file.path}")
    else:
        result.notes.append(f"PDF report failed: {report.error}")
    return result
