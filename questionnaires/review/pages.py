"""Assessment pages: a vendor's cycles over time, and the review of one assessment
(answers by section, flags, evidence, comments, clarification, decision, reports).

Every lookup starts from the caller's organisation, so another organisation's vendor,
assessment, evidence file or condition is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionnaires.assessments.models import Assessment, Evidence, RemediationItem
from questionnaires.assessments.selectors.history import assessment_diff, vendor_history
from questionnaires.charts.portfolio import TrendPoint, score_trend_svg
from questionnaires.core.decorators import member_required
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.ownership.models import Vendor
from questionnaires.reports.services import report_request
from questionnaires.review.forms import CommentForm, DecisionForm, ExpiryForm
from questionnaires.review.selectors import assessment_review
from questionnaires.review.services import (
    comment_add,
    evidence_set_expiry,
    remediation_close,
    review_start,
    review_submit,
)


def _assessment(request, pk) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("vendor", "template", "organization"),
        organization=request.membership.organization, pk=pk)


def _detail_url(assessment: Assessment, anchor: str = "") -> str:
    url = reverse("workspace:assessment-detail", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


# --- A vendor's cycles --------------------------------------------------------------------------
@require_GET
@member_required
def vendor_assessments(request, pk):
    vendor = get_object_or_404(Vendor, organization=request.membership.organization, pk=pk)
    history = vendor_history(vendor=vendor)
    pair, valid = _pair(history, request.GET.get("from"), request.GET.get("to"))
    if not valid:
        messages.error(request, "Choose two assessments of this vendor to compare.")
    points = [TrendPoint((a.submitted_at or a.created_at).date(), a.score_overall, a.score_tier)
              for a in reversed(history) if a.score_overall is not None]
    return render(request, "workspace/vendor_assessments.html", {
        "vendor": vendor, "history": history, "points": points,
        "diff": assessment_diff(older=pair[1], newer=pair[0]) if len(pair) == 2 else None,
        "trend": score_trend_svg(points) if points else "",
        "comparable": [a for a in history if a.submitted_at],
    }, status=200 if valid else 400)


def _pair(history: list[Assessment], first: str | None, second: str | None):
    """(the two cycles to compare, newest first; whether the choice was valid): the two
    chosen, else the latest two submitted. A choice naming a cycle that is not this
    vendor's is invalid; choosing one cycle twice compares nothing."""
    submitted = [a for a in history if a.submitted_at][:2]
    if not first and not second:
        return submitted, True
    by_id = {str(a.pk): a for a in history}
    if first not in by_id or second not in by_id:
        return submitted, False
    chosen = sorted({by_id[first], by_id[second]}, key=lambda a: a.created_at, reverse=True)
    return chosen, True


# --- Review ---------------------------------------------------------------------------------------
def _review_context(assessment: Assessment, decision_form=None) -> dict:
    page = assessment_review(assessment=assessment)
    keys = [row.key for row in page.rows if row.answerable]
    decision_form = decision_form or DecisionForm(question_keys=keys)
    return {"assessment": assessment, "page": page, "decision_form": decision_form,
            "chosen": decision_form.chosen, "comment_form": CommentForm(),
            "today": timezone.localdate()}


@require_GET
@member_required
def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    return render(request, "workspace/assessment_review.html",
                  _review_context(assessment))


@require_POST
@member_required(write=True)
def assessment_decide(request, pk):
    assessment = _assessment(request, pk)
    keys = list(assessment.template.questions.exclude(kind="info").values_list("key", flat=True))
    form = DecisionForm(request.POST, question_keys=keys)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = review_submit(assessment=assessment, by=request.user,
                                   decision=data["decision"], note=data["note"],
                                   questions=data["questions"], conditions=data["conditions"])
        except Conflict as error:  # the status moved on: say so above the page
            messages.error(request, error.message)
            status = error.status_code
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status_code
        else:
            messages.success(request, f"Recorded: {review.get_decision_display().lower()}.")
            return redirect(_detail_url(assessment))
    assessment.refresh_from_db()
    return render(request, "workspace/assessment_review.html",
                  _review_context(assessment, form), status=status)


@require_POST
@member_required(write=True)
def assessment_start_review(request, pk):
    assessment = _assessment(request, pk)
    try:
        review_start(assessment=assessment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(assessment))
    messages.success(request, "Marked as in review.")
    return redirect(_detail_url(assessment))


@require_POST
@member_required(write=True)
def assessment_comment(request, pk, key):
    assessment = _assessment(request, pk)
    question = assessment.template.questions.filter(key=key).first()
    if question is None:
        raise Http404
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            comment_add(assessment=assessment, question_key=key, by=request.user,
                        body=form.cleaned_data["body"],
                        internal=not form.cleaned_data["visible_to_vendor"])
        except DomainError as error:
            form.add_error("body", error.message)
        else:
            status, form = 201, CommentForm()
    if not request.htmx:
        if status != 201:
            messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(assessment, f"q-{key}"))
    comments = assessment.comments.filter(question=question).order_by("created_at")
    return render(request, "workspace/_comments.html", {
        "assessment": assessment, "key": key, "comments": comments, "comment_form": form,
    }, status=status)


@require_POST
@member_required(write=True)
def evidence_expiry(request, pk, evidence_id):
    assessment = _assessment(request, pk)
    evidence = get_object_or_404(Evidence, assessment=assessment, pk=evidence_id)
    form = ExpiryForm(request.POST)
    if form.is_valid():
        evidence_set_expiry(evidence=evidence, expires_on=form.cleaned_data["expires_on"],
                            by=request.user)
        messages.success(request, f"Saved the expiry of {evidence.name}.")
    else:
        messages.error(request, f"{evidence.name}: enter the date as YYYY-MM-DD.")
    return redirect(_detail_url(assessment, f"q-{evidence.question.key}"))


@require_POST
@member_required(write=True)
def condition_close(request, pk, item_id):
    assessment = _assessment(request, pk)
    item = get_object_or_404(RemediationItem, assessment=assessment, pk=item_id)
    try:
        remediation_close(item=item, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Condition closed.")
    return redirect(_detail_url(assessment, "conditions"))


# --- Reports panel --------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@member_required
def assessment_reports(request, pk):
    """The reports panel (an htmx fragment that polls while a report renders). Any member
    may ask for a report, compliance included, as on the reports API (reports/api.py)."""
    assessment = _assessment(request, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            report_request(assessment=assessment, by=request.user)
            status = 202
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(_detail_url(assessment, "reports"))
    page_reports = list(assessment.reports.order_by("-created_at")[:20])
    return render(request, "workspace/_reports.html", {
        "assessment": assessment, "reports": page_reports, "error": error,
        "pending": any(r.status == "pending" for r in page_reports),
    }, status=status)
