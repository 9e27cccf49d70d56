"""Templates in and out of files: import from any supported format, export to one.

The API, the import page and `manage.py import_questionnaire` all go through
`template_import`, so a file is checked the same way (size, format, every validation
step) wherever it arrives, and nothing is stored unless all of it is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Protocol

from django.conf import settings
from django.db import transaction

from questionnaires.authoring.importers import (
    ImportFailed,
    Problem,
    describe,
    detect_format,
    dump_native,
    dump_spreadsheet,
    load_any,
    load_vsaq,
)
from questionnaires.authoring.importers.deadline import import_deadline
from questionnaires.authoring.importers.errors import fail
from questionnaires.authoring.importers.validate import validate_spec
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.templates import (
    template_create,
    template_spec,
    template_update_draft,
)
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.models import Organization

IMPORT_FORMATS = ("native", "vsaq", "xlsx", "csv")
# Location keys an importer may add to a problem; the API passes them through.
_LOCATION_KEYS = ("line", "item", "row", "column", "sheet", "file")


class UploadedFile(Protocol):
    """What Django's UploadedFile and django.core.files.File both offer."""

    name: str | None
    size: int

    def read(self) -> bytes: ...


class TooLarge(DomainError):
    status_code = 413


def import_too_large(size: int, *, what: str = "the file", more_than: bool = False) -> TooLarge:
    """The 413 for an import body or file of ``size`` bytes against IMPORT_MAX_BYTES (with
    ``more_than``, ``size`` is where reading stopped); the upload handler raises it before
    the rest of the body is read."""
    limit = settings.IMPORT_MAX_BYTES
    return TooLarge(f"{what} is {'more than ' if more_than else ''}{size:,} bytes; "
                    f"the largest accepted is {limit:,} bytes", field="file")


class TemplateRefused(DomainError):
    """An import (or an edit) failed validation; ``problems`` are the importer's own,
    ``details`` the same problems as API errors."""

    def __init__(self, failure: ImportFailed):
        self.problems: list[Problem] = failure.errors
        count = len(self.problems)
        super().__init__(f"the questionnaire has {count} problem{'s' * (count != 1)}",
                         details=[api_error(problem) for problem in self.problems])


def problem_location(problem: Problem) -> str:
    """Everything known about where a problem is, as a person reads it
    (``webapp.json: item "x" (questionnaire[0].items[3]): cond``); "" for the whole file."""
    # describe() is the one formatter of locations; an empty message leaves only them.
    return describe({**problem, "message": ""}).removesuffix(": ")


def problem_field(problem: Problem) -> str | None:
    """Where a problem is, in the terms of the file: a native path, a VSAQ item and the
    attribute, or a sheet's row and column. Lines and files travel as separate keys."""
    located = {key: value for key, value in problem.items()
               if key not in ("file", "line", "message")}
    if set(located) <= {"field"}:
        return problem.get("field")
    return problem_location(located)  # type: ignore[arg-type]


def api_error(problem: Problem) -> dict:
    """``{"field", "message"}`` plus whichever of line, item, row, column, sheet and file
    the importer knew, and ``path`` when ``field`` is not the bare path."""
    error = {"field": problem_field(problem), "message": problem["message"]}
    error.update({key: problem[key] for key in _LOCATION_KEYS if key in problem})
    if problem.get("field") and error["field"] != problem["field"]:
        error["path"] = problem["field"]
    return error


def _read(file: UploadedFile | IO[bytes], what: str) -> bytes:
    size = getattr(file, "size", None)
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:  # refuse before reading it all into memory
        raise TooLarge(f"the file is {size:,} bytes; the largest accepted is {limit:,} bytes",
                       field=what)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is over {limit:,} bytes, the largest accepted", field=what)
    return data


@transaction.atomic
def template_import(*, file: UploadedFile, organization: Organization | None,
                    fmt: str | None = None, extensions: list[UploadedFile] | tuple = (),
                    created_by=None) -> Template:
    """Read ``file`` (format ``fmt``, detected when None) and store it as a published
    template of ``organization`` (None: the shared library).

    VSAQ ``extensions`` are applied in order onto the base file. Raises TooLarge (413) or
    TemplateRefused (400, every problem located); nothing is stored in either case."""
    name = file.name or "questionnaire"
    data = _read(file, "file")
    extra = [_read(extension, "extensions") for extension in extensions]
    try:
        chosen = fmt or detect_format(data, name)
        if chosen not in IMPORT_FORMATS:
            raise fail(f'unknown format "{chosen}"; expected one of {", ".join(IMPORT_FORMATS)}',
                       field="format")
        if extra and chosen != "vsaq":
            raise fail(f"extensions apply to VSAQ files only; this file was read as {chosen}",
                       field="extensions")
        # Each loop of the importers is bounded; the deadline bounds their sum, below the
        # web server's timeout.
        with import_deadline(settings.IMPORT_DEADLINE_SECONDS):
            spec = (load_vsaq(data, filename=name, extensions=extra) if chosen == "vsaq"
                    else load_any(data, filename=name, format=chosen))
    except ImportFailed as failure:
        raise TemplateRefused(failure) from None
    return template_create(spec=spec, organization=organization, source_format=chosen,
                           created_by=created_by, publish=True)


def template_replace_draft(*, template: Template, raw: object, by=None) -> Template:
    """Replace a draft's content with ``raw``, a native spec (a PUT body, an edited form).

    The state is checked before the content, so a published template answers 409 whatever
    was sent; the content then goes through the importers' validation (TemplateRefused)."""
    if not template.is_editable:
        raise Conflict(f"only a draft can change; this template is {template.status}: "
                       "clone it into a new draft")
    try:
        spec = validate_spec(raw)
    except ImportFailed as failure:
        raise TemplateRefused(failure) from None
    return template_update_draft(template=template, spec=spec, by=by)


# --- Export -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    content_type: str
    filename: str


EXPORT_FORMATS = {
    # format: (content type, file extension)
    "native": ("application/yaml; charset=utf-8", "yaml"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


def template_export(*, template: Template, fmt: str = "native") -> ExportedFile:
    """The template as a file that imports back as the same questionnaire."""
    if fmt not in EXPORT_FORMATS:
        raise DomainError(f'unknown export format "{fmt}"; expected one of '
                          f'{", ".join(EXPORT_FORMATS)}', field="format")
    spec = template_spec(template)
    if fmt == "native":
        content = dump_native(spec, fmt="yaml").encode()
    elif fmt == "json":
        content = dump_native(spec, fmt="json").encode()
    else:
        content = dump_spreadsheet(spec, fmt=fmt)
    content_type, extension = EXPORT_FORMATS[fmt]
    # A CSV holds no template fields: its importer takes the key from the file name, so the
    # name must be the bare key for the export to read back as the same template.
    stem = template.key if fmt == "csv" else f"{template.key}-v{template.version}"
    return ExportedFile(content=content, content_type=content_type,
                        filename=f"{stem}.{extension}")
