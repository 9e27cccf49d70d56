"""Reassessment on a cadence, and warnings about evidence that is about to expire.

A vendor is due again `cadence` months after its latest assessment was approved: the
vendor's own `reassessment_months`, else the organisation's cadence for the vendor's
criticality (Organization.cadence_months; 6/12/24/36 months for critical/high/medium/low
by default). Issuing is idempotent: the vendor row is locked and the check for an
unfinished assessment is made again under the lock, so two runs never open two.

Run by celery beat through assessments/tasks/reassessment.py.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from questionnaires.assessments.models import Assessment, Evidence
from questionnaires.assessments.services.lifecycle import (
    MAX_COLLEAGUE_INVITATIONS,
    assessment_issue,
)
from questionnaires.audit.models import AuditEvent
from questionnaires.audit.services import audit_record
from questionnaires.authoring.models import Template
from questionnaires.core.errors import DomainError
from questionnaires.core.members import assessment_link, members_notify
from questionnaires.core.models import Organization
from questionnaires.core.notifications import email_later
from questionnaires.ownership.models import Vendor

logger = logging.getLogger(__name__)
S = Assessment.Status
APPROVED = (S.APPROVED, S.APPROVED_WITH_CONDITIONS)
UNFINISHED = (S.DRAFT, S.SENT, S.IN_PROGRESS, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)
# The vendor gets this long to confirm or change last cycle's answers.
ANSWER_WINDOW = datetime.timedelta(days=30)
EXPIRY_WINDOW = datetime.timedelta(days=30)
# Issued per run; the task runs hourly, so a backlog (a cadence shortened for hundreds of
# vendors at once) drains over a few runs instead of one long task.
ISSUE_BATCH = 300
NOTIFY_BATCH = 2000
EXPIRY_ACTION = "evidence.expiry_notified"


MAX_CADENCE_MONTHS = 120


@transaction.atomic
def cadence_update(*, organization: Organization, months: dict[str, int], by) -> Organization:
    """The organisation's reassessment cadence per criticality, in months (1 to 120)."""
    from questionnaires.core.models import DEFAULT_CADENCE_MONTHS

    for criticality, value in months.items():
        if criticality not in DEFAULT_CADENCE_MONTHS:
            raise DomainError(f"unknown criticality {criticality!r}", field="cadence_months")
        if not isinstance(value, int) or not 1 <= value <= MAX_CADENCE_MONTHS:
            raise DomainError(f"a whole number of months from 1 to {MAX_CADENCE_MONTHS}",
                              field=f"cadence_months.{criticality}")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = {c: organization.cadence_months(c) for c in DEFAULT_CADENCE_MONTHS}
    # Read-modify-write of one key under the row lock: the other settings stay as they are.
    organization.settings = {**organization.settings,
                             "cadence_months": {**before, **months}}
    organization.save(update_fields=["settings"])
    audit_record(organization=organization, action="organization.cadence_changed", actor=by,
                 obj=organization, data={"from": before, "to": {**before, **months}})
    return organization


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, on the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def cadence_months(*, vendor: Vendor, organization: Organization) -> int:
    return vendor.reassessment_months or organization.cadence_months(vendor.criticality)


def next_reassessment(*, vendor: Vendor, organization: Organization,
                      decided_at: datetime.datetime) -> datetime.date:
    return add_months(decided_at.date(), cadence_months(vendor=vendor,
                                                        organization=organization))


@dataclass(frozen=True)
class DueReassessment:
    vendor_id: object
    previous_id: object
    due_on: datetime.date


def reassessment_due(*, today: datetime.date) -> list[DueReassessment]:
    """Vendors whose latest assessment was approved at least a cadence ago and that have
    nothing unfinished: one query, whatever the number of organisations and vendors."""
    latest = (Assessment.objects.filter(vendor=OuterRef("pk")).exclude(status=S.CANCELLED)
              .order_by("-created_at"))
    unfinished = Assessment.objects.filter(vendor=OuterRef("pk"), status__in=UNFINISHED)
    candidates = (Vendor.objects.filter(organization__kind=Organization.Kind.BUYER)
                  .annotate(latest_id=Subquery(latest.values("pk")[:1]),
                            latest_status=Subquery(latest.values("status")[:1]),
                            latest_decided=Subquery(latest.values("decided_at")[:1]),
                            busy=Exists(unfinished))
                  .filter(latest_status__in=APPROVED, latest_decided__isnull=False, busy=False)
                  .select_related("organization").order_by("pk"))
    due = []
    for vendor in candidates.iterator(chunk_size=2000):
        on = next_reassessment(vendor=vendor, organization=vendor.organization,
                               decided_at=vendor.latest_decided)
        if on <= today:
            due.append(DueReassessment(vendor.pk, vendor.latest_id, on))
    return sorted(due, key=lambda d: d.due_on)


def reassessment_issue_due(*, today: datetime.date) -> list[Assessment]:
    """Issue the next assessment to every due vendor (at most ISSUE_BATCH per run), with
    last cycle's answers carried over for the vendor to confirm or change."""
    issued = []
    for due in reassessment_due(today=today)[:ISSUE_BATCH]:
        assessment = _issue_one(due, today)
        if assessment is not None:
            issued.append(assessment)
    return issued


@transaction.atomic
def _issue_one(due: DueReassessment, today: datetime.date) -> Assessment | None:
    vendor = (Vendor.objects.select_for_update(of=("self",)).select_related("organization")
              .filter(pk=due.vendor_id).first())
    # Decided again under the lock: another run may have issued one since the list was read.
    if vendor is None or Assessment.objects.filter(vendor=vendor,
                                                   status__in=UNFINISHED).exists():
        return None
    previous = Assessment.objects.select_related("template").get(pk=due.previous_id)
    template = current_version(previous.template)
    respondents = _respondents(previous, vendor)
    if template is None or not respondents:
        logger.warning("vendor %s is due for reassessment but %s", vendor.pk,
                       "no version of its questionnaire is published" if template is None
                       else "nobody is known to send it to")
        return None
    assessment, _ = assessment_issue(
        organization=vendor.organization, vendor=vendor, template=template,
        due_date=today + ANSWER_WINDOW, respondents=respondents, previous=previous)
    months = cadence_months(vendor=vendor, organization=vendor.organization)
    audit_record(organization=vendor.organization, action="reassessment.issued",
                 actor_label="reassessment schedule", obj=assessment,
                 data={"previous": str(previous.pk), "due_on": due.due_on.isoformat(),
                       "cadence_months": months, "template_version": template.version})
    members_notify(organization=vendor.organization, kind="reassessment_issued",
                   template="emails/workspace_reassessment_issued",
                   context={"vendor": vendor.name, "questionnaire": template.name,
                            "version": template.version, "months": months,
                            "due_date": assessment.due_date.isoformat(),
                            "assessment_id": str(assessment.pk),
                            "url": assessment_link(assessment.pk)})
    return assessment


def current_version(template: Template) -> Template | None:
    """The newest published version of the same questionnaire, from the same owner."""
    return (Template.objects.filter(organization_id=template.organization_id, key=template.key,
                                    status=Template.Status.PUBLISHED)
            .order_by("-version").first())


def _respondents(previous: Assessment, vendor: Vendor) -> list[tuple[str, str]]:
    """Whoever the buyer asked last time (not colleagues they brought in), else the
    vendor's contact."""
    seen: dict[str, tuple[str, str]] = {}
    for email, name in (previous.invitations.filter(invited_by__isnull=True)
                        .order_by("-created_at").values_list("email", "name")):
        seen.setdefault(email.lower(), (email, name))
    if not seen and vendor.contact_email:
        seen[vendor.contact_email.lower()] = (vendor.contact_email, vendor.contact_name)
    return list(seen.values())[:MAX_COLLEAGUE_INVITATIONS]


# --- Evidence about to expire ---------------------------------------------------------------
def evidence_expiry_notify(*, today: datetime.date) -> int:
    """Warn the vendor and the buyer once about each evidence file expiring within 30 days.

    "Once" is kept in the audit trail (an EXPIRY_ACTION event per file and expiry date), so a
    rerun sends nothing twice and a file given a new expiry date is warned about again."""
    expiring = (Evidence.objects.filter(expires_on__gte=today,
                                        expires_on__lte=today + EXPIRY_WINDOW)
                .exclude(assessment__status=S.CANCELLED).order_by("expires_on", "pk")
                .values_list("pk", "assessment__organization_id")[:NOTIFY_BATCH])
    by_org: dict[object, list] = defaultdict(list)
    for evidence_id, org_id in expiring:
        by_org[org_id].append(evidence_id)
    return sum(_notify_org(org_id, ids) for org_id, ids in by_org.items())


@transaction.atomic
def _notify_org(org_id, evidence_ids: list) -> int:
    # Lock first, then check what was sent: a concurrent run either skips the locked rows
    # or, once this one commits, sees its audit events.
    files = list(Evidence.objects.select_for_update(skip_locked=True, of=("self",))
                 .filter(pk__in=evidence_ids)
                 .select_related("assessment__vendor", "assessment__organization", "question")
                 .order_by("expires_on", "pk"))
    sent = set(AuditEvent.objects.filter(organization_id=org_id, action=EXPIRY_ACTION,
                                         object_id__in=[str(f.pk) for f in files])
               .values_list("object_id", "data__expires_on"))
    fresh = [f for f in files if (str(f.pk), f.expires_on.isoformat()) not in sent]
    if not fresh:
        return 0
    organization = fresh[0].assessment.organization
    per_vendor: dict[object, list[Evidence]] = defaultdict(list)
    for evidence in fresh:
        per_vendor[evidence.assessment.vendor_id].append(evidence)
        audit_record(organization=organization, action=EXPIRY_ACTION,
                     actor_label="evidence schedule", obj=evidence,
                     data={"expires_on": evidence.expires_on.isoformat(),
                           "assessment": str(evidence.assessment_id), "name": evidence.name})
    for files_of_vendor in per_vendor.values():
        _email_vendor(organization, files_of_vendor)
    members_notify(organization=organization, kind="evidence_expiring",
                   template="emails/workspace_evidence_expiring",
                   context={"files": [{**_file_context(e), "url": assessment_link(e.assessment_id)}
                                      for e in fresh]})
    return len(fresh)


def _file_context(evidence: Evidence) -> dict:
    return {"vendor": evidence.assessment.vendor.name, "name": evidence.name,
            "question": evidence.question.text[:200],
            "expires_on": evidence.expires_on.isoformat(),
            "assessment_id": str(evidence.assessment_id)}


def _email_vendor(organization: Organization, files: list[Evidence]) -> None:
    vendor = files[0].assessment.vendor
    recipients = [vendor.contact_email] if vendor.contact_email else list(
        files[0].assessment.invitations.filter(invited_by__isnull=True)
        .values_list("email", flat=True).distinct())
    email_later(to=recipients, template="emails/workspace_evidence_expiring_vendor",
                context={"buyer": organization.name, "vendor": vendor.name,
                         "files": [_file_context(e) for e in files]})
