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
from django.views.decorators.http import require_GET, require_POST

from ..downloads import evidence_attachment
from ..middleware import membership_of
from ..services import DomainError
from ..services.evidence import evidence_for_reader, evidence_upload
from .access import portal_required, session_invitation
from .state import questionnaire_state
from .views import portal_context, portal_page


@never_cache
@require_POST
@portal_required
def upload(request: HttpRequest) -> HttpResponse:
    assessment = request.assessment
    key = request.POST.get("question", "")
    if not assessment.template.questions.filter(key=key).exists():
        raise Http404
    status, message, code = "saved", "File attached", 200
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError("choose a file to upload", field="file")
        evidence_upload(assessment=assessment, question_key=key, upload=file,
                        by=request.invitation.email, attach=True)
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
