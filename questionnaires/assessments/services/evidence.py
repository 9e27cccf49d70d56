"""Evidence files: what a vendor may upload, how it is checked, stored and who may read it.

Uploads come from people we do not know, so nothing about a file is trusted: not its name,
not the Content-Type the browser sent. The name is checked here and must end in an extension
on a short allow-list (PDF, PNG, JPEG, plain text, CSV, DOCX, XLSX); the content is checked
by uploads/checks.py, which decides the type from the bytes, requires it to agree with
the extension and refuses polyglots. Files are stored under random names outside every
served folder and only ever streamed back as attachments by an authorised view; the name a
client sent is only ever shown, sanitised, never used as a path.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction

from questionnaires.assessments.models import Answer, Assessment, Evidence, Invitation
from questionnaires.assessments.services.lifecycle import SaveResult, answer_save, editable_keys
from questionnaires.audit.services import audit_record
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.models import Membership
from questionnaires.uploads.checks import (
    CHUNK,
    KINDS,
    EvidenceRefused,
    check_content,
    file_size,
)
from questionnaires.uploads.limits import EvidenceTooLarge, evidence_too_large

__all__ = ["EvidenceRefused", "EvidenceTooLarge", "evidence_check", "evidence_for_reader",
           "evidence_too_large", "evidence_upload"]

# A file question holding more than this is a mistake or abuse, not diligence.
MAX_FILES_PER_QUESTION = 20
NAME_MAX = 180


EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "txt": "txt",
              "csv": "csv", "docx": "docx", "xlsx": "xlsx"}
ACCEPTED = "PDF, PNG, JPEG, plain text, CSV, DOCX or XLSX"
# Extensions that make a file run or render as code; refused anywhere in a name, so that
# "report.exe.pdf" and "report.pdf.exe" are both turned away.
DANGEROUS = {"exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar",
             "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "sh", "bash",
             "zsh", "py", "pl", "rb", "php", "phtml", "asp", "aspx", "jsp", "cgi", "html",
             "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "swf", "lnk", "reg",
             "app", "dmg", "pkg", "deb", "rpm", "apk", "elf", "bin", "run", "docm", "xlsm",
             "pptm", "dotm", "xltm", "iso", "img", "vhd", "zip", "rar", "7z", "gz", "tar"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


# --- Name and content -----------------------------------------------------------------------------
def evidence_check(*, upload: IO[bytes], name: str, size: int) -> CheckedFile:
    """The checked facts of an upload, or EvidenceRefused / EvidenceTooLarge saying why not."""
    if size > settings.EVIDENCE_MAX_BYTES:
        raise evidence_too_large(size)
    if size == 0:
        raise EvidenceRefused("the file is empty")
    clean, extension = _checked_name(name)
    kind = EXTENSIONS[extension]
    check_content(upload, kind, extension)
    return CheckedFile(name=clean, extension=extension, content_type=KINDS[kind].content_type,
                       size=size, sha256=_sha256(upload))



def _checked_name(name: str) -> tuple[str, str]:
    """(the sanitised display name, its extension) or EvidenceRefused."""
    if not name or not name.strip():
        raise EvidenceRefused("the file has no name")
    if "\x00" in name or any(unicodedata.category(c) == "Cc" for c in name):
        raise EvidenceRefused("the file name contains control characters")
    if "/" in name or "\\" in name:
        raise EvidenceRefused("the file name must not contain a folder path")
    if ".." in name:
        raise EvidenceRefused("the file name must not contain '..'")
    clean = _sanitised(name)
    parts = clean.lower().split(".")
    if len(parts) < 2 or not parts[-1]:
        raise EvidenceRefused(f"the file name has no extension; accepted: {ACCEPTED}")
    extension = parts[-1]
    if extension in DANGEROUS or any(part in DANGEROUS for part in parts[1:-1]):
        raise EvidenceRefused(f"files named like {clean!r} (programs, scripts, web pages or "
                              f"archives, or a double extension) are not accepted; accepted: "
                              f"{ACCEPTED}")
    if extension not in EXTENSIONS:
        raise EvidenceRefused(f".{extension} files are not accepted; accepted: {ACCEPTED}")
    return clean, extension


def _sanitised(name: str) -> str:
    """A name safe to show and to put in a Content-Disposition header: NFC, no format
    characters (a right-to-left override can make "exe.pdf" read as "fdp.exe"), no quotes
    or separators, no leading dots, bounded length with the extension kept."""
    name = unicodedata.normalize("NFC", name).strip()
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[^\w\s.\-()+,&@]", "_", name)
    name = re.sub(r"\s+", " ", name).lstrip(". ")
    if len(name) > NAME_MAX:
        stem, _, extension = name.rpartition(".")
        name = f"{stem[:NAME_MAX - len(extension) - 1]}.{extension}"
    return name


def _sha256(upload: IO[bytes]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# --- Upload -------------------------------------------------------------------------------------
@dataclass
class UploadResult:
    evidence: Evidence
    saved: SaveResult | None


def evidence_upload(*, assessment: Assessment, question_key: str, upload, by: str,
                    name: str | None = None, attach: bool = False) -> UploadResult:
    """Check and store one file as evidence for a question of an open assessment.

    `name` is the file name exactly as the client sent it (questionnaires/uploads/parsers.py keeps
    it; Django's own upload objects only hold a rewritten one), `upload.name` if not given.
    With `attach`, a `file` question's answer also gains the new file (the portal's one-step
    upload); the API leaves the answer to the caller's PUT. The checks read the file before
    any lock is taken; the row, the stored file and the answer change commit together, and a
    failure removes the stored file again."""
    question = assessment.template.questions.filter(key=question_key).first()
    if question is None:
        raise DomainError(f"no question {question_key!r} in this questionnaire", field="question")
    if question.kind != "file" and question.evidence not in ("optional", "required"):
        raise DomainError("this question takes no files", field="question")
    if name is None:
        name = getattr(upload, "name", "") or ""
    checked = evidence_check(upload=upload, name=name,
                             size=getattr(upload, "size", None) or file_size(upload))
    stored_name = ""
    try:
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            _check_open(locked, question_key)
            if Evidence.objects.filter(assessment=locked, question=question).count() \
                    >= MAX_FILES_PER_QUESTION:
                raise DomainError(f"at most {MAX_FILES_PER_QUESTION} files per question",
                                  field="file")
            evidence = Evidence(assessment=locked, question=question, name=checked.name,
                                size=checked.size, sha256=checked.sha256,
                                content_type=checked.content_type, uploaded_by=by)
            upload.seek(0)
            evidence.file.save(f"{uuid.uuid4().hex}.{checked.extension}", File(upload), save=False)
            stored_name = evidence.file.name
            evidence.save()
            audit_record(organization=assessment.organization, action="evidence.uploaded",
                         actor_label=by, obj=locked,
                         data={"question": question_key, "name": checked.name,
                               "size": checked.size, "sha256": checked.sha256})
            saved = _attach(locked, question, evidence, by) if attach and question.kind == "file" \
                else None
    except BaseException:
        if stored_name:
            evidence.file.storage.delete(stored_name)
        raise
    return UploadResult(evidence, saved)


def _check_open(assessment: Assessment, question_key: str) -> None:
    if not assessment.is_open_for_vendor:
        raise Conflict(f"the questionnaire is {assessment.status} and can no longer change")
    editable = editable_keys(assessment)
    if editable is not None and question_key not in editable:
        raise Conflict("only the questions the reviewer reopened can change in this round")


def _attach(assessment: Assessment, question, evidence: Evidence, by: str) -> SaveResult:
    answer = Answer.objects.filter(assessment=assessment, question=question).first()
    current = list(answer.value or []) if answer else []
    return answer_save(assessment=assessment, question_key=question.key,
                       value=[*current, str(evidence.pk)], comment=None,
                       version=answer.version if answer else 0, by=by)


# --- Who may read a file --------------------------------------------------------------------------
def evidence_for_reader(*, evidence_id, invitation: Invitation | None = None,
                        membership: Membership | None = None) -> Evidence | None:
    """The evidence if the reader may see it, else None (the caller answers 404 either way):
    the respondents of its own assessment, and members of the buying organisation."""
    scope = Evidence.objects.select_related("assessment")
    if invitation is not None:
        found = scope.filter(pk=evidence_id, assessment_id=invitation.assessment_id).first()
        if found is not None:
            return found
    if membership is not None:
        return scope.filter(pk=evidence_id,
                            assessment__organization_id=membership.organization_id).first()
    return None
