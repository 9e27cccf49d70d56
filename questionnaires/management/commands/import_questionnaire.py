"""manage.py import_questionnaire PATH [--format F] [--organization NAME] [--extension PATH]..."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from questionnaires.authoring.importers import describe
from questionnaires.authoring.services.files import (
    IMPORT_FORMATS,
    TemplateRefused,
    template_import,
)
from questionnaires.core.errors import DomainError
from questionnaires.core.models import Organization


class Command(BaseCommand):
    help = ("Import a questionnaire file (native YAML/JSON, VSAQ, XLSX or CSV) as a published "
            "template of an organisation, or of the shared library when none is named.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the questionnaire file")
        parser.add_argument("--format", choices=IMPORT_FORMATS,
                            help="the file's format; detected from its content when omitted")
        parser.add_argument("--organization", metavar="NAME",
                            help="the buyer organisation that will own the template")
        parser.add_argument("--extension", action="append", default=[], metavar="PATH",
                            help="a VSAQ extension file applied onto PATH (repeatable, in order)")

    def handle(self, *args, path, format, organization, extension, **options):
        owner = self._organization(organization)
        paths = [Path(path), *(Path(p) for p in extension)]
        for candidate in paths:
            if not candidate.is_file():
                raise CommandError(f"{candidate}: no such file")
        handles = [candidate.open("rb") for candidate in paths]
        try:
            files = [File(handle, name=candidate.name) for handle, candidate
                     in zip(handles, paths, strict=True)]
            template = template_import(file=files[0], organization=owner, fmt=format,
                                       extensions=files[1:])
        except TemplateRefused as refused:
            for problem in refused.problems:
                self.stderr.write(describe({**problem, "file": _file_of(problem, paths)}))
            raise CommandError(f"{path}: {refused.message}; nothing was imported") from None
        except DomainError as error:  # too large
            raise CommandError(f"{path}: {error.message}") from None
        finally:
            for handle in handles:
                handle.close()
        where = f"organisation {owner.name}" if owner else "the shared library"
        sections, questions = template.sections.count(), template.questions.count()
        self.stdout.write(f"Imported {template.name!r} ({template.key} v{template.version}) "
                          f"into {where}: id {template.id}, {sections} sections, "
                          f"{questions} questions.")

    def _organization(self, name: str | None) -> Organization | None:
        if name is None:
            return None
        owner = Organization.objects.filter(name=name).first()
        if owner is None:
            raise CommandError(f"--organization: no organisation is named {name!r}")
        if owner.kind != Organization.Kind.BUYER:
            raise CommandError(f"--organization: {name!r} is a {owner.kind} organisation; "
                               "only buyers own questionnaires")
        return owner


def _file_of(problem: dict, paths: list[Path]) -> str:
    """The path a problem is in. The VSAQ importer labels extensions "extension N" (1-based,
    in the order given); every other problem is in the main file."""
    label = problem.get("file", "")
    number = label.removeprefix("extension ").strip()
    if label.startswith("extension ") and number.isdigit() and 0 < int(number) < len(paths):
        return str(paths[int(number)])
    return str(paths[0])
