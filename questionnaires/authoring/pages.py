"""Buyer pages for questionnaire templates: browse, preview, import, export, clone, edit,
publish. Every lookup starts from `templates_visible`, so another organisation's template
is a 404 and the built-in library is visible but never changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionnaires.assessments.selectors.portal_state import QuestionState, SectionState
from questionnaires.authoring.forms import SectionForm, TemplateDetailsForm, TemplateImportForm
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.files import (
    TemplateRefused,
    TooLarge,
    import_too_large,
    problem_location,
    template_export,
    template_import,
    template_replace_draft,
)
from questionnaires.authoring.services.library import (
    templates_visible,
    with_counts,
    with_structure,
)
from questionnaires.authoring.services.templates import (
    template_clone,
    template_publish,
    template_spec,
)
from questionnaires.core.decorators import member_required
from questionnaires.core.errors import DomainError
from questionnaires.uploads.parsers import LimitedUploadHandler, limited_upload_handler


def _visible(request, pk) -> Template:
    return get_object_or_404(templates_visible(organization=request.membership.organization),
                             pk=pk)


def _own(request, pk) -> Template:
    template = _visible(request, pk)
    if template.organization_id is None:
        raise PermissionDenied("The built-in library cannot change; clone the template first.")
    return template


@require_GET
@member_required
def templates_list(request):
    visible = with_counts(templates_visible(organization=request.membership.organization))
    return render(request, "workspace/templates/list.html", {
        "own": visible.filter(organization__isnull=False),
        "library": visible.filter(organization__isnull=True),
    })


def _preview(template: Template) -> list[SectionState]:
    """The template as the vendor portal shows it before any answer, read-only, with every
    question visible (the page notes the conditions instead of applying them)."""
    return [SectionState(section, [
        QuestionState(question=question, answer=None, visible=True, editable=False,
                      evidence=[], section_key=section.key)
        for question in section.questions.all()]) for section in template.sections.all()]


@require_GET
@member_required
def template_detail(request, pk):
    visible = templates_visible(organization=request.membership.organization)
    template = get_object_or_404(with_structure(with_counts(visible)), pk=pk)
    return render(request, "workspace/templates/detail.html", {
        "template": template, "preview": _preview(template),
        "own": template.organization_id is not None,
    })


@csrf_exempt
@require_http_methods(["GET", "POST"])
def template_import_page(request):
    """The upload handler must be in place before anything reads the body, and
    CsrfViewMiddleware reads request.POST: so this view is exempt from the middleware and
    checks CSRF itself once it is (as the portal's evidence upload does)."""
    handler = limited_upload_handler(request, limit=settings.IMPORT_MAX_BYTES,
                                     refuse=import_too_large)
    return _import_page(request, handler)


@csrf_protect
@member_required(write=True)
def _import_page(request, handler: LimitedUploadHandler):
    posted = request.method == "POST"
    form = TemplateImportForm(request.POST if posted else None,
                              request.FILES if posted else None)
    problems, code = [], 200
    if posted and handler.refusal is not None:  # the body stopped at IMPORT_MAX_BYTES
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", handler.refusal.message)
        code = 413
    elif posted and form.is_valid():
        try:
            template = template_import(
                file=form.cleaned_data["file"], organization=request.membership.organization,
                fmt=form.cleaned_data["format"] or None,
                extensions=form.cleaned_data["extensions"], created_by=request.user)
        except TemplateRefused as refused:
            problems = [{"where": problem_location(p), "message": p["message"]}
                        for p in refused.problems]
            code = 400
        except TooLarge as error:
            form.add_error("file", error.message)
            code = 413
        else:
            messages.success(request, f"Imported {template.name} (version {template.version}).")
            return redirect("workspace:templates-detail", pk=template.pk)
    elif posted:
        code = 400
    return render(request, "workspace/templates/import.html",
                  {"form": form, "problems": problems}, status=code)


@require_GET
@member_required
def template_export_page(request, pk, fmt):
    try:
        exported = template_export(template=_visible(request, pk), fmt=fmt)
    except DomainError as error:  # an unknown format in a hand-typed URL
        return HttpResponse(error.message, status=400, content_type="text/plain")
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename)
    return response


@require_POST
@member_required(write=True)
def template_clone_page(request, pk):
    draft = template_clone(template=_visible(request, pk),
                           organization=request.membership.organization, by=request.user)
    messages.success(request, f"Draft version {draft.version} created: edit it, then publish.")
    return redirect("workspace:templates-edit", pk=draft.pk)


@require_POST
@member_required(write=True)
def template_publish_page(request, pk):
    try:
        template = template_publish(template=_own(request, pk), by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Version {template.version} is published.")
    return redirect("workspace:templates-detail", pk=pk)


@require_http_methods(["GET", "POST"])
@member_required(write=True)
def template_edit(request, pk):
    template = _own(request, pk)
    if not template.is_editable:
        messages.error(request, "A published template never changes: clone it into a draft.")
        return redirect("workspace:templates-detail", pk=pk)
    spec = template_spec(template)
    keys = [section["key"] for section in spec["sections"]]
    wanted = request.GET.get("section")
    index = keys.index(wanted) if wanted in keys else 0
    data = request.POST if request.method == "POST" else None
    editing_details = data is not None and data.get("part") == "details"
    details = TemplateDetailsForm(data if editing_details else None, spec=spec)
    section = SectionForm(None if editing_details else data, spec=spec, index=index)
    form = details if editing_details else section
    if data is not None and form.is_valid():
        try:
            template_replace_draft(template=template, raw=form.edited_spec(), by=request.user)
        except TemplateRefused as refused:
            form.add_problems(refused.problems)
        except DomainError as error:  # e.g. the draft was issued meanwhile
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect(f"{reverse('workspace:templates-edit', args=[pk])}"
                            f"?section={keys[index]}")
    return render(request, "workspace/templates/edit.html", {
        "template": template, "sections": spec["sections"], "current": keys[index],
        "details": details, "form": section,
    }, status=400 if data is not None and form.errors else 200)
