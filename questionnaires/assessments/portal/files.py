"""Evidence in the portal: upload to a question, and the one view that streams a file back.

A file is only ever sent as an attachment with nosniff and a sandboxing CSP, to the
respondents of its own assessment or to members of the buying organisation; anyone else
gets the same 404 as for a file that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from questionnaires.assessments.portal.views import portal_context, portal_page
from questionnaires.assessments.selectors.portal_state import questionnaire_state
from questionnaires.assessments.services.access import portal_required, session_invitation
from questionnaires.assessments.services.evidence import evidence_for_reader, evidence_upload
from questionnaires.core.errors import DomainError
from questionnaires.core.tenancy import membership_of
from questionnaires.uploads.downloads import evidence_attachment
from questionnaires.uploads.parsers import EvidenceUploadHandler, evidence_upload_handler


@csrf_exempt
@never_cache
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """The upload handlers must be in place before anything reads the body, and
    CsrfViewMiddleware reads request.POST: so this view is exempt from the middleware and
    checks CSRF itself once they are (Django's documented way to change upload handlers for
    one view)."""
    return _upload(request, evidence_upload_handler(request))


@csrf_protect
@portal_required
def _upload(request: HttpRequest, handler: EvidenceUploadHandler) -> HttpResponse:
    assessment = request.assessment
    key = request.POST.get("question", "")
    if not assessment.template.questions.filter(key=key).exists():
        raise Http404
    status, message, code = "saved", "File attached", 200
    file = request.FILES.get("file")
    try:
        if handler.refusal is not None:
            raise handler.refusal
        if file is None:
            raise DomainError("choose a file to upload", field="file")
        evidence_upload(assessment=assessment, question_key=key, upload=file,
                        name=file.client_name, by=request.invitation.email, attach=True)
    except DomainError as exc:
        status, message, code = "error", exc.message, exc.status_code
    state = questionnaire_state(assessment)
    if not request.htmx:
        (messages.success if code == 200 else messages.error)(request, message)
        return redirect(reverse("portal:section", args=[state.section_of(key).key]) + f"#q-{key}")
    target = state.by_key[key]
    target.upload_status, target.upload_message = status, message
    return portal_page(request, "portal/_question_swap.html",
                       {**portal_context(request, state), "q": target}, status=code)


@never_cache
@require_GET
def download(request: HttpRequest, evidence_id) -> HttpResponse:
    """For the vendor session of the file's assessment, or a member of the buyer."""
    evidence = evidence_for_reader(evidence_id=evidence_id,
                                   invitation=session_invitation(request),
                                   membership=membership_of(request))
    if evidence is None:
        raise Http404
    return evidence_attachment(evidence)
