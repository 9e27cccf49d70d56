"""The audit trail of the caller's organisation: browse and filter, export, verify."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from questionnaires.audit.forms import AuditFilterForm
from questionnaires.audit.selectors import EXPORT_HEADERS, audit_events, audit_rows
from questionnaires.audit.services import audit_verify
from questionnaires.core.decorators import member_required
from questionnaires.core.exports import csv_lines

PAGE_SIZE = 50
# Offered in the action box; any other action (or a prefix ending in ".") works as well.
KNOWN_ACTIONS = sorted([
    "answer.saved", "assessment.", "audit.chain_opened", "assessment.approved", "assessment.approved_with_conditions",
    "assessment.cancelled", "assessment.changes_requested", "assessment.in_review",
    "assessment.issued", "assessment.rejected", "assessment.reminded", "assessment.scored",
    "assessment.submitted", "comment.added", "evidence.", "evidence.expiry_notified",
    "evidence.expiry_set", "evidence.uploaded", "invitation.created", "invitation.opened",
    "member.", "member.invited", "member.notifications_changed", "member.removed",
    "member.role_changed", "reassessment.issued", "remediation.answered", "remediation.closed",
    "report.", "report.downloaded", "report.rendered", "report.requested", "template.",
])


@require_GET
@member_required
def audit_list(request):
    form = AuditFilterForm(request.GET)
    context = {"form": form, "page": None, "actions": KNOWN_ACTIONS}
    if not form.is_valid():
        return render(request, "workspace/audit.html", context, status=400)
    events = audit_events(organization=request.membership.organization, query=form.query())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.link = _link(event)
    context["page"] = page
    return render(request, "workspace/audit.html", context)


def _link(event) -> str:
    """The page of the event's object, when it has one (assessments do)."""
    if event.object_type != "Assessment":
        return ""
    try:
        return reverse("workspace:assessment-detail", args=[uuid.UUID(event.object_id)])
    except ValueError:  # an id that is not one: show it, link nothing
        return ""


@require_GET
@member_required
def audit_export(request):
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    events = audit_events(organization=request.membership.organization, query=form.query())
    response = StreamingHttpResponse(csv_lines(EXPORT_HEADERS, audit_rows(events)),
                                     content_type="text/csv; charset=utf-8")
    filename = f"audit-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@member_required
def audit_check(request):
    """Walk the organisation's chain now and say whether it is intact."""
    problems = audit_verify(organization=request.membership.organization)
    return render(request, "workspace/audit_verify.html", {"problems": problems},
                  status=200)
