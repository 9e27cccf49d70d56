"""The vendor portal: open an invitation, answer section by section, review, submit.

Server-rendered; htmx turns each answer form into an autosave that swaps back the
question's status line, the progress bars and any question that appeared or disappeared.
Every form also works without JavaScript (a plain POST that redirects back).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from questionnaires.assessments.portal.forms import ColleagueForm, posted_answer
from questionnaires.assessments.portal.saving import answer_from_form
from questionnaires.assessments.selectors.portal_state import (
    QuestionnaireState,
    questionnaire_state,
)
from questionnaires.assessments.services.access import (
    INVALID_LINK,
    TOO_MANY,
    check_token,
    portal_required,
    session_login,
    session_logout,
)
from questionnaires.assessments.services.lifecycle import assessment_submit, colleague_invite
from questionnaires.audit.services import audit_record
from questionnaires.core.errors import DomainError

REFERRER_POLICY = "strict-origin"


def portal_page(request: HttpRequest, template: str, context: dict,
                status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Never a path in a Referer from a page that may carry the token in its URL; see
    # templates/portal/layout.html for why not no-referrer.
    response["Referrer-Policy"] = REFERRER_POLICY
    return response


# --- Opening a link ---------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link is for and changes nothing, so a mail scanner that follows
    links cannot use it up; the person confirms with a POST, which opens a session bound
    to this one invitation and sends them to /portal/ (no token in that URL)."""
    check = check_token(token, request.META)
    if check.blocked:
        return portal_page(request, "portal/invalid_link.html", {"message": TOO_MANY}, status=429)
    invitation = check.invitation
    if invitation is None:
        return portal_page(request, "portal/invalid_link.html", {"message": INVALID_LINK},
                           status=404)
    if request.method == "GET":
        return portal_page(request, "portal/confirm.html",
                           {"invitation": invitation, "assessment": invitation.assessment})
    session_login(request, invitation)
    audit_record(organization=invitation.assessment.organization, action="invitation.opened",
                 actor_label=invitation.email, obj=invitation.assessment,
                 data={"invitation": str(invitation.pk)})
    return redirect("portal:home")


@never_cache
@portal_required
def home(request: HttpRequest) -> HttpResponse:
    assessment = request.assessment
    if not assessment.is_open_for_vendor and assessment.submitted_at:
        return redirect("portal:receipt")
    state = questionnaire_state(assessment)
    first = next(iter(state.missing), None)
    section = state.section_of(first.key) if first else next(iter(state.visible_sections), None)
    if section is None:
        return redirect("portal:review")
    return redirect("portal:section", key=section.key)


@never_cache
@portal_required
def section(request: HttpRequest, key: str) -> HttpResponse:
    state = questionnaire_state(request.assessment)
    current = state.section(key)
    if current is None:
        return portal_page(request, "404.html", {}, status=404)
    visible = state.visible_sections
    index = next((i for i, s in enumerate(visible) if s.key == key), None)
    return portal_page(request, "portal/section.html", {
        **portal_context(request, state), "current": current,
        "previous": visible[index - 1] if index else None,
        "next": visible[index + 1] if index is not None and index + 1 < len(visible) else None,
    })


def portal_context(request: HttpRequest, state: QuestionnaireState) -> dict:
    return {"state": state, "assessment": state.assessment, "invitation": request.invitation,
            "max_upload": settings.EVIDENCE_MAX_BYTES}


# --- Saving one answer ----------------------------------------------------------------------
@never_cache
@require_POST
@portal_required
def answer(request: HttpRequest, key: str) -> HttpResponse:
    question = request.assessment.template.questions.filter(key=key).first()
    if question is None:
        return portal_page(request, "404.html", {}, status=404)
    outcome = answer_from_form(invitation=request.invitation, question=question,
                               posted=posted_answer(question, request.POST))
    state = questionnaire_state(request.assessment)
    here = state.section_of(key)
    if not request.htmx:
        (messages.success if outcome.code == 200 else messages.error)(request, outcome.message)
        return redirect(reverse("portal:section", args=[here.key]) + f"#q-{key}")
    target = state.by_key[key]
    target.status, target.message = outcome.status, outcome.message
    target.meta_version = outcome.form_version
    return portal_page(request, "portal/_answer_saved.html", {
        **portal_context(request, state), "q": target, "current": here,
        "moved": [q for q in here.questions if q.key in outcome.moved],
    }, status=outcome.code)


# --- Review, submit, receipt ------------------------------------------------------------------
@never_cache
@portal_required
def review(request: HttpRequest) -> HttpResponse:
    state = questionnaire_state(request.assessment)
    return portal_page(request, "portal/review.html", {**portal_context(request, state)})


@never_cache
@require_POST
@portal_required
def submit(request: HttpRequest) -> HttpResponse:
    try:
        assessment_submit(assessment=request.assessment, by=request.invitation.email)
    except DomainError as exc:
        state = questionnaire_state(request.assessment)
        return portal_page(request, "portal/review.html",
                           {**portal_context(request, state), "error": exc.message},
                           status=exc.status_code)
    messages.success(request, "Submitted. Thank you.")
    return redirect("portal:receipt")


@never_cache
@portal_required
def receipt(request: HttpRequest) -> HttpResponse:
    if not request.assessment.submitted_at:
        return redirect("portal:home")
    state = questionnaire_state(request.assessment)
    return portal_page(request, "portal/receipt.html", {**portal_context(request, state)})


@never_cache
@require_POST
@portal_required
def leave(request: HttpRequest) -> HttpResponse:
    """Continue later: end this session; the link opens the questionnaire again."""
    invitation = request.invitation
    session_logout(request)
    request.invitation = None  # the page after leaving offers no portal navigation
    return portal_page(request, "portal/left.html",
                       {"invitation": invitation, "assessment": invitation.assessment})


# --- Colleagues -----------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
@portal_required
def colleagues(request: HttpRequest) -> HttpResponse:
    invitation = request.invitation
    form = ColleagueForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            colleague_invite(invitation=invitation, email=form.cleaned_data["email"],
                             name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("email", exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"We emailed a link to {form.cleaned_data['email']}.")
            return redirect("portal:colleagues")
    elif request.method == "POST":
        status = 400
    team = (request.assessment.invitations.filter(revoked_at__isnull=True)
            .select_related("invited_by").order_by("created_at"))
    return portal_page(request, "portal/colleagues.html", {
        "form": form, "team": team, "invitation": invitation,
        "assessment": request.assessment}, status=status)

