"""The built-in library, and which templates a buyer can see: its own plus the library.

The library is data (questionnaires/library/*.yaml) loaded as published templates that
belong to no organisation. Loading is idempotent: a file whose content is unchanged adds
nothing; a changed file becomes the next version and the older library versions of that
key are archived, so buyers issue the newest while assessments keep the version they pin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from questionnaires.authoring.importers import load_native
from questionnaires.authoring.models import Question, Section, Template
from questionnaires.authoring.services.templates import spec_digest, template_create, template_spec
from questionnaires.core.locks import advisory_lock
from questionnaires.core.models import Organization

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "library"


@dataclass(frozen=True)
class LibraryEntry:
    """One library file after loading: the template now current for it, and whether this
    run created it (False: the content was already loaded)."""

    path: Path
    template: Template
    created: bool


def _lock_library() -> None:
    # Two loaders starting together (two web containers at boot) would both compute the
    # same next version and one would die on the unique constraint: serialise them.
    advisory_lock("library-load")


@transaction.atomic
def library_load(*, directory: Path = LIBRARY_DIR) -> list[LibraryEntry]:
    """Import every ``*.yaml`` in ``directory`` as a published library template.

    All or nothing: a file that fails validation raises ImportFailed (each problem names
    the file) and no file of this run is loaded.
    """
    _lock_library()
    return [_load_file(path) for path in sorted(directory.glob("*.yaml"))]


def _load_file(path: Path) -> LibraryEntry:
    spec = load_native(path.read_bytes(), filename=path.name)
    latest = (Template.objects.filter(organization__isnull=True, key=spec["key"])
              .order_by("-version").first())
    # The digest is the fast path; comparing the rebuilt spec also recognises a version
    # stored from an equal spec spelt differently (3 versus 3.0 in a weight).
    if latest is not None and (latest.digest == spec_digest(spec)
                               or template_spec(latest) == spec):
        return LibraryEntry(path=path, template=latest, created=False)
    template = template_create(spec=spec, organization=None, source_format="native",
                               publish=True)
    (Template.objects.filter(organization__isnull=True, key=spec["key"],
                             status=Template.Status.PUBLISHED)
     .exclude(pk=template.pk).update(status=Template.Status.ARCHIVED))
    return LibraryEntry(path=path, template=template, created=True)


# --- What a buyer can see ---------------------------------------------------------------------
def templates_visible(*, organization: Organization) -> QuerySet[Template]:
    """The organisation's own templates and the built-in library; nobody else's.

    Every template view, API and page alike, starts from this queryset, so another
    tenant's template is simply absent (404)."""
    return Template.objects.filter(Q(organization=organization) | Q(organization__isnull=True))


def with_counts(queryset: QuerySet[Template]) -> QuerySet[Template]:
    """Annotate ``section_count`` and ``question_count`` in the same query.

    Subqueries rather than two Counts over joins, which would multiply sections by
    questions for every template listed."""
    def count(model):
        rows = (model.objects.filter(template=OuterRef("pk")).order_by()
                .values("template").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return queryset.annotate(section_count=count(Section), question_count=count(Question))


def with_structure(queryset: QuerySet[Template]) -> QuerySet[Template]:
    """Prefetch sections and their questions in order: three queries for any size."""
    questions = Prefetch("questions", queryset=Question.objects.order_by("position"))
    sections = Prefetch("sections",
                        queryset=Section.objects.order_by("position").prefetch_related(questions))
    return queryset.prefetch_related(sections)
