"""Evidence files: what a vendor may upload, how it is checked, stored and who may read it.

Uploads come from people we do not know, so nothing about a file is trusted: not its name,
not the Content-Type the browser sent. The type is decided from the content and must be on
a short allow-list (PDF, PNG, JPEG, plain text, CSV, DOCX, XLSX) *and* agree with the name's
extension; anything else is refused with a sentence saying what the file looks like. Files
are stored under random names outside every served folder and only ever streamed back as
attachments by an authorised view.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.files import File
from django.db import transaction

from ..models import Answer, Assessment, Evidence, Invitation, Membership
from . import Conflict, DomainError
from .assessments import SaveResult, answer_save, editable_keys
from .audit import audit_record

CHUNK = 64 * 1024
HEAD = 8192
# A file question holding more than this is a mistake or abuse, not diligence.
MAX_FILES_PER_QUESTION = 20
# Office files are ZIPs of XML: real ones inflate 5-30x. A far higher ratio, a huge total
# or a huge number of entries is a decompression bomb aimed at whoever opens it later.
ZIP_MAX_RATIO = 100
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_ENTRIES = 5000
NAME_MAX = 180


class EvidenceRefused(DomainError):
    """The file is not one we accept: 400 with the reason, on the `file` field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


class EvidenceTooLarge(DomainError):
    status_code = 413

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class _Kind:
    label: str
    content_type: str


KINDS = {
    "pdf": _Kind("a PDF", "application/pdf"),
    "png": _Kind("a PNG image", "image/png"),
    "jpeg": _Kind("a JPEG image", "image/jpeg"),
    "txt": _Kind("plain text", "text/plain; charset=utf-8"),
    "csv": _Kind("a CSV file", "text/csv; charset=utf-8"),
    "docx": _Kind("a Word document (DOCX)", "application/vnd.openxmlformats-officedocument."
                                             "wordprocessingml.document"),
    "xlsx": _Kind("an Excel workbook (XLSX)", "application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet"),
}
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
# Magic numbers of programs that filetype does not name (Mach-O, Java classes, scripts).
PROGRAM_MAGIC = [(b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"),
                 (b"\xcf\xfa\xed\xfe", "a macOS program"), (b"\xce\xfa\xed\xfe", "a macOS program"),
                 (b"\xfe\xed\xfa", "a macOS program"), (b"\xca\xfe\xba\xbe", "a program"),
                 (b"#!", "a script")]
OFFICE_MAIN = {
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


# --- Checks -------------------------------------------------------------------------------------
def evidence_check(*, upload: IO[bytes], name: str, size: int) -> CheckedFile:
    """The checked facts of an upload, or EvidenceRefused / EvidenceTooLarge saying why not."""
    limit = settings.EVIDENCE_MAX_BYTES
    if size > limit:
        raise EvidenceTooLarge(f"the file is {_megabytes(size)}; the limit is {_megabytes(limit)}")
    if size == 0:
        raise EvidenceRefused("the file is empty")
    clean, extension = _checked_name(name)
    kind = EXTENSIONS[extension]
    upload.seek(0)
    head = upload.read(HEAD)
    _check_content(upload, head, kind, extension)
    return CheckedFile(name=clean, extension=extension, content_type=KINDS[kind].content_type,
                       size=size, sha256=_sha256(upload))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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


def _what_it_looks_like(head: bytes) -> str | None:
    for magic, label in PROGRAM_MAGIC:
        if head.startswith(magic):
            return label
    guess = filetype.guess(head)
    if guess is None:
        return None
    known = {"pdf": "a PDF", "png": "a PNG image", "jpg": "a JPEG image", "zip": "a ZIP archive",
             "gif": "a GIF image", "docx": "a Word document", "xlsx": "an Excel workbook"}
    return known.get(guess.extension, f"a {guess.mime} file")


def _check_content(upload: IO[bytes], head: bytes, kind: str, extension: str) -> None:
    looks_like = _what_it_looks_like(head)
    expected = KINDS[kind].label
    if looks_like and looks_like.endswith(("program", "script")):
        raise EvidenceRefused(f"the content is {looks_like}, not {expected}: programs are not "
                              "accepted")
    if kind == "pdf":
        _require(head.startswith(b"%PDF-"), looks_like, expected, extension)
        upload.seek(max(0, _size(upload) - 2048))
        if b"%%EOF" not in upload.read():
            raise EvidenceRefused("the PDF is incomplete (no end-of-file marker); upload it again")
    elif kind == "png":
        _require(head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR",
                 looks_like, expected, extension)
    elif kind == "jpeg":
        _require(head.startswith(b"\xff\xd8\xff"), looks_like, expected, extension)
    elif kind in OFFICE_MAIN:
        _require(head.startswith(b"PK\x03\x04"), looks_like, expected, extension)
        _check_office(upload, kind)
    else:
        if looks_like is not None:
            raise EvidenceRefused(f"the content is {looks_like}, not {expected}")
        _check_text(upload, expected)


def _require(ok: bool, looks_like: str | None, expected: str, extension: str) -> None:
    if not ok:
        seen = looks_like or "not a type we recognise"
        raise EvidenceRefused(f"the name ends in .{extension} but the content is {seen}, "
                              f"not {expected}")


def _size(upload: IO[bytes]) -> int:
    upload.seek(0, 2)
    return upload.tell()


def _check_office(upload: IO[bytes], kind: str) -> None:
    main_part, main_type = OFFICE_MAIN[kind]
    label = KINDS[kind].label
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise EvidenceRefused(f"the file holds {len(entries)} parts; at most "
                                      f"{ZIP_MAX_ENTRIES} are accepted")
            total = sum(entry.file_size for entry in entries)
            packed = max(1, sum(entry.compress_size for entry in entries))
            if total > ZIP_MAX_UNCOMPRESSED or total / packed > ZIP_MAX_RATIO:
                raise EvidenceRefused("the file expands to far more than its size (a "
                                      "compression bomb) and is refused")
            names = {entry.filename for entry in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise EvidenceRefused("documents with macros are not accepted; save it "
                                      "without macros")
            if "[Content_Types].xml" not in names or main_part not in names:
                raise EvidenceRefused(f"the content is a ZIP archive, not {label}")
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise EvidenceRefused(f"the content is not a valid {label}")
            content_types = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError):
        raise EvidenceRefused(f"the content is a damaged ZIP archive, not {label}")
    if main_type not in content_types or b"macroEnabled" in content_types:
        raise EvidenceRefused(f"the content is not {label} (or it carries macros)")


def _check_text(upload: IO[bytes], expected: str) -> None:
    """UTF-8 throughout, no NUL, and not a web page or SVG wearing a .txt."""
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    first = True
    while chunk := upload.read(CHUNK):
        if b"\x00" in chunk:
            raise EvidenceRefused(f"the content is binary (it contains NUL bytes), not {expected}")
        # Browsers sniff markup from the first non-blank bytes, and no text or CSV worth
        # keeping starts with "<"; a policy that mentions <script> further down is fine.
        if first and chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise EvidenceRefused("web pages, SVG and XML are not accepted; upload a PDF instead")
        first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            raise EvidenceRefused(f"the content is not UTF-8 text, so it is not {expected}; "
                                  "save it as UTF-8 or upload a PDF")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise EvidenceRefused(f"the content is not UTF-8 text, so it is not {expected}")


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
                    attach: bool = False) -> UploadResult:
    """Check and store one file as evidence for a question of an open assessment.

    With `attach`, a `file` question's answer also gains the new file (the portal's one-step
    upload); the API leaves the answer to the caller's PUT. The checks read the file before
    any lock is taken; the row, the stored file and the answer change commit together, and a
    failure removes the stored file again."""
    question = assessment.template.questions.filter(key=question_key).first()
    if question is None:
        raise DomainError(f"no question {question_key!r} in this questionnaire", field="question")
    if question.kind != "file" and question.evidence not in ("optional", "required"):
        raise DomainError("this question takes no files", field="question")
    checked = evidence_check(upload=upload, name=getattr(upload, "name", "") or "",
                             size=getattr(upload, "size", None) or _size(upload))
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
