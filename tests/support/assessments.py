"""The buyer's default questionnaire and assessments in known states, built through the real
services (tests/support/builders.py), for the review, audit, portfolio and reassessment
tests and bench/bench_dashboard.py (which loads this file by path)."""

from __future__ import annotations

import datetime
from typing import Any

from tests.support import builders
from tests.support.builders import NO_IS_GOOD, RESPONDENT


def spec(key: str = "ws-check", extra_questions: int = 0) -> dict[str, Any]:
    """Two sections with flags of two severities; `extra_questions` short-text questions
    make a large questionnaire for the query-count tests."""
    notes = [{"key": f"note_{n}", "kind": "short_text", "weight": 0,
              "text": f"Describe control {n}."} for n in range(extra_questions)]
    return {
        "format": "diligence/v1", "key": key, "name": "Workspace check",
        "flag_penalties": {"info": 0, "low": 1, "medium": 2, "high": 5, "critical": 10},
        "sections": [
            {"key": "ownership", "title": "Ownership", "questions": [
                {"key": "own_equity", "kind": "yes_no", "required": True, "weight": 3,
                 "text": "Does any model builder hold equity in your company?",
                 "options": NO_IS_GOOD,
                 "flags": [{"when": 'own_equity == "yes"', "severity": "critical",
                            "title": "A model builder holds equity"}]},
                {"key": "own_stake", "kind": "number", "required": True,
                 "text": "What percentage do they hold?", "show_if": 'own_equity == "yes"',
                 "min": 0, "max": 100},
            ]},
            {"key": "security", "title": "Security", "questions": [
                {"key": "sec_mfa", "kind": "yes_no", "required": True,
                 "text": "Is multi-factor authentication enforced for all staff?"},
                {"key": "sec_notify_hours", "kind": "number", "required": True,
                 "text": "Within how many hours do you notify a breach?",
                 "bands": [{"min": 0, "max": 24, "score": 1.0},
                           {"min": 24, "max": 72, "score": 0.5},
                           {"min": 72, "max": None, "score": 0.0}],
                 "flags": [{"when": "sec_notify_hours > 72", "severity": "high",
                            "title": "Breach notification slower than 72 hours"}]},
                {"key": "sec_soc2", "kind": "file", "evidence": "optional", "weight": 0,
                 "text": "Upload your SOC 2 Type II report."},
                *notes,
            ]},
        ],
    }


RISKY = {"own_equity": "yes", "own_stake": 30, "sec_mfa": "no", "sec_notify_hours": 96}
SAFE = {"own_equity": "no", "sec_mfa": "yes", "sec_notify_hours": 12}


def template_for(organization, **kwargs):
    return builders.template_from(spec(**kwargs), organization)


def issue(*, organization, vendor, template, by=None, due_in_days: int = 30, previous=None):
    """The assessment, with the invitation's link as `invite_url`."""
    issued = builders.issue(organization=organization, vendor=vendor, template=template, by=by,
                            due_in_days=due_in_days, previous=previous)
    issued.assessment.invite_url = issued.url
    return issued.assessment


def answer(assessment, answers: dict[str, Any], by: str = RESPONDENT) -> None:
    builders.answer(assessment, answers, by=by)


def submit_and_score(assessment):
    """Submit, then score in this process (no worker): the assessment, refreshed."""
    from questionnaires.ownership.services.neutrality import vendor_entity

    # The vendor's node in the ownership graph exists before scoring reads the graph.
    vendor_entity(assessment.vendor)
    assessment = builders.submit(assessment)
    builders.score(assessment)
    assessment.refresh_from_db()
    return assessment


def scored(*, organization, vendor, template, answers=None, by=None):
    assessment = issue(organization=organization, vendor=vendor, template=template, by=by)
    answer(assessment, RISKY if answers is None else answers)
    return submit_and_score(assessment)


def evidence(assessment, *, key: str = "sec_soc2", name: str = "soc2.pdf",
             expires_on: datetime.date | None = None):
    return builders.evidence(assessment, key=key, name=name, expires_on=expires_on)


STATUSES = ["sent", "in_progress", "submitted", "in_review", "changes_requested", "approved",
            "approved_with_conditions", "rejected"]
TIERS = ["low", "medium", "high", "critical"]
CRITICALITIES = ["low", "medium", "high", "critical"]


def bulk_portfolio(*, organization, template, count: int, prefix: str = "Bulk vendor",
                   batch: int = 2000) -> None:
    """`count` vendors, each with two assessments (an older approved one and a newer one in
    a varied status) and score runs, written with bulk_create: for query-count tests and
    the dashboard benchmark, where scoring each one for real would take minutes."""
    import hashlib
    import uuid

    from django.utils import timezone

    from questionnaires.assessments.models import Assessment
    from questionnaires.ownership.models import Vendor
    from questionnaires.scoring.models import ScoreRun

    now = timezone.now()
    for start in range(0, count, batch):
        vendors, assessments, runs = [], [], []
        for n in range(start, min(start + batch, count)):
            vendor = Vendor(id=uuid.uuid4(), organization=organization,
                            name=f"{prefix} {n:05d}", criticality=CRITICALITIES[n % 4],
                            neutrality_status=["neutral", "at_risk", "conflicted"][n % 3])
            vendors.append(vendor)
            for age, status in ((400, "approved"), (n % 60, STATUSES[n % len(STATUSES)])):
                created = now - datetime.timedelta(days=age)
                assessment = Assessment(
                    id=uuid.uuid4(), organization=organization, vendor=vendor,
                    template=template, status=status,
                    due_date=(created + datetime.timedelta(days=30)).date(),
                    submitted_at=created if status not in ("sent", "in_progress") else None,
                    decided_at=created if status.startswith("approved") else None,
                    answers_digest=hashlib.sha256(f"{vendor.id}{age}".encode()).hexdigest())
                assessments.append((assessment, created))
                if assessment.submitted_at:
                    overall = float((n * 37 + age) % 100)
                    runs.append((ScoreRun(
                        assessment=assessment, digest=assessment.answers_digest,
                        engine_version="bench", overall=overall, tier=TIERS[n % 4],
                        result={"overall": overall, "tier": TIERS[n % 4], "sections": [],
                                "flags": []}), created))
        Vendor.objects.bulk_create(vendors)
        Assessment.objects.bulk_create([a for a, _ in assessments])
        ScoreRun.objects.bulk_create([r for r, _ in runs])
        # created_at is auto_now_add: set the intended history afterwards, per age group.
        for age in {age for a, created in assessments for age in [(now - created).days]}:
            ids = [a.pk for a, created in assessments if (now - created).days == age]
            when = now - datetime.timedelta(days=age)
            Assessment.objects.filter(pk__in=ids).update(created_at=when)
            ScoreRun.objects.filter(assessment_id__in=ids).update(created_at=when)
