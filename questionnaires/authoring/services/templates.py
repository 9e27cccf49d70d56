"""Templates: native spec <-> rows, publishing, cloning, and the compiled-condition cache.

The native spec (docs/native-format.md) is the one plain-data shape every other module
reads; rows exist so answers, evidence and comments can point at a question, and so a draft
can be edited field by field. `template_spec` is the only way back from rows to a spec.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from questionnaires.audit.services import audit_record
from questionnaires.authoring.importers.normalise import normalise
from questionnaires.authoring.models import Question, Section, Template
from questionnaires.conditions import CompiledTemplate, compile_template
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.models import Organization

# Question fields whose names differ between the spec and the row.
_RENAMED = {"min": "min_value", "max": "max_value"}
_QUESTION_FIELDS = ["text", "help", "kind", "required", "weight", "allow_na", "options",
                    "multi", "bands", "min", "max", "evidence", "evidence_penalty", "show_if",
                    "flags", "refs"]


def spec_digest(spec: dict) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _question_row_values(question: dict) -> dict:
    values = {}
    for name in _QUESTION_FIELDS:
        if name in question:
            values[_RENAMED.get(name, name)] = question[name]
    values["show_if"] = question.get("show_if") or ""
    return values


def _question_spec(row: Question) -> dict:
    spec = {"key": row.key}
    for name in _QUESTION_FIELDS:
        spec[name] = getattr(row, _RENAMED.get(name, name))
    spec["show_if"] = row.show_if or None
    if row.kind != "number":
        for name in ("bands", "min", "max"):
            spec.pop(name)
    if row.kind not in ("yes_no", "single_choice", "multi_choice"):
        spec.pop("options")
    return spec


def template_spec(template: Template) -> dict:
    """The canonical native spec of a template, rebuilt from its rows (2 queries)."""
    sections = list(template.sections.order_by("position"))
    questions: dict[int, list[dict]] = {s.pk: [] for s in sections}
    for row in template.questions.order_by("position"):
        questions[row.section_id].append(_question_spec(row))
    raw = {
        "format": "diligence/v1", "key": template.key, "name": template.name,
        "description": template.description, "tiers": template.tiers,
        "flag_penalties": template.flag_penalties,
        "sections": [{"key": s.key, "title": s.title, "description": s.description,
                      "weight": s.weight, "show_if": s.show_if or None,
                      "questions": questions[s.pk]} for s in sections],
    }
    return normalise(raw)


@lru_cache(maxsize=256)
def _compiled(template_id, digest: str) -> CompiledTemplate:
    template = Template.objects.get(pk=template_id)
    return compile_template(template_spec(template))


def compiled_template(template: Template) -> CompiledTemplate:
    """The parsed conditions of a template, parsed once per process and digest.

    Keyed by digest as well as id so an edited draft is recompiled, while the published
    versions that assessments pin (immutable) stay cached."""
    return _compiled(template.pk, template.digest)


@lru_cache(maxsize=256)
def _questions(template_id, digest: str) -> MappingProxyType:
    return MappingProxyType({q.key: q for q in Question.objects.filter(template_id=template_id)})


def template_questions(template: Template) -> Mapping[str, Question]:
    """The template's questions by key, read once per process and digest like
    compiled_template. Shared between threads: treat them as read-only."""
    return _questions(template.pk, template.digest)


def _write_rows(template: Template, spec: dict) -> None:
    position = 0
    questions = []
    for s_index, section in enumerate(spec["sections"]):
        row = Section.objects.create(template=template, position=s_index, key=section["key"],
                                     title=section["title"],
                                     description=section.get("description", ""),
                                     weight=section.get("weight", 1.0),
                                     show_if=section.get("show_if") or "")
        for question in section["questions"]:
            questions.append(Question(template=template, section=row, position=position,
                                      key=question["key"], **_question_row_values(question)))
            position += 1
    Question.objects.bulk_create(questions, batch_size=500)


@transaction.atomic
def template_create(*, spec: dict, organization: Organization | None, source_format: str,
                    created_by=None, publish: bool = True) -> Template:
    """Store a validated native spec as the next version of its key for this owner.

    The spec must already have passed an importer (load_native/load_vsaq/...); it is
    normalised again so what is stored is exactly what export will write."""
    spec = normalise(spec)
    compile_template(spec)  # a last guard: never store a template whose conditions fail
    latest = (Template.objects.filter(organization=organization, key=spec["key"])
              .aggregate(Max("version"))["version__max"] or 0)
    template = Template.objects.create(
        organization=organization, key=spec["key"], name=spec["name"],
        description=spec.get("description", ""), version=latest + 1,
        status=Template.Status.PUBLISHED if publish else Template.Status.DRAFT,
        published_at=timezone.now() if publish else None, source_format=source_format,
        tiers=spec["tiers"], flag_penalties=spec["flag_penalties"], digest=spec_digest(spec),
        created_by=created_by)
    _write_rows(template, spec)
    audit_record(organization=organization, action="template.created", actor=created_by,
                 obj=template, data={"key": template.key, "version": template.version,
                                     "format": source_format})
    return template


@transaction.atomic
def template_clone(*, template: Template, organization: Organization, by=None) -> Template:
    """An editable draft copy, as the next version of the organisation's own template."""
    spec = template_spec(template)
    draft = template_create(spec=spec, organization=organization, source_format="native",
                            created_by=by, publish=False)
    draft.parent = template
    draft.save(update_fields=["parent"])
    return draft


@transaction.atomic
def template_update_draft(*, template: Template, spec: dict, by=None) -> Template:
    """Replace a draft's content. A published version is immutable: 409."""
    template = Template.objects.select_for_update().get(pk=template.pk)
    if not template.is_editable:
        raise Conflict("a published template cannot change; clone it into a new draft")
    if spec["key"] != template.key:
        raise DomainError("the key of a template cannot change", field="key")
    spec = normalise(spec)
    compile_template(spec)
    if template.assessments.exists():
        raise Conflict("this draft has been issued and can no longer change")
    template.questions.all().delete()
    template.sections.all().delete()
    template.name, template.description = spec["name"], spec.get("description", "")
    template.tiers, template.flag_penalties = spec["tiers"], spec["flag_penalties"]
    template.digest = spec_digest(spec)
    template.save()
    _write_rows(template, spec)
    audit_record(organization=template.organization, action="template.edited", actor=by,
                 obj=template, data={"version": template.version})
    return template


@transaction.atomic
def template_publish(*, template: Template, by=None) -> Template:
    template = Template.objects.select_for_update().get(pk=template.pk)
    if template.status != Template.Status.DRAFT:
        raise Conflict(f"only a draft can be published; this one is {template.status}")
    template.status, template.published_at = Template.Status.PUBLISHED, timezone.now()
    template.save(update_fields=["status", "published_at"])
    audit_record(organization=template.organization, action="template.published", actor=by,
                 obj=template, data={"version": template.version})
    return template
