"""Reading an evidence upload off the wire: the file name as the client sent it, and a body
that stops at the size limit.

Django's multipart parser rewrites a file name before any upload handler sees it (it keeps
the last path part, drops control characters, and drops the file for "." or ".."), so
"../../etc/cron.d/report.pdf" used to arrive as "report.pdf" and be accepted. Evidence must
refuse such a name and say why, so the evidence endpoints parse with RawNameMultiPartParser:
the name reaches EvidenceUploadHandler unchanged, which keeps it as `client_name` for
evidence_check and never puts it in a path (files are spooled to anonymous temporary files
and stored under random names).

Nothing else bounds a request body: Django counts only the non-file fields against
DATA_UPLOAD_MAX_MEMORY_SIZE, so a 10 GB file used to be written to a temporary file before
the 413. EvidenceUploadHandler refuses a body that declares more than the limit before
reading any of its file, keeps no more than the limit of a file, and stops reading a file
that goes on past the limit and MULTIPART_ALLOWANCE; the views turn `refusal` into the 413.
The rest of such a body is never read: gunicorn sends the answer, discards a little more and
closes the connection. A client that reads while it sends (curl, browsers) gets the 413 at
once; one that insists on sending everything first may see the connection closed under it,
which only reading the whole body (10 GB, say) would spare it. A file at most
MULTIPART_ALLOWANCE over the limit is read whole, so every client gets its 413.

The handler is set per view, on the two evidence endpoints only, not in FILE_UPLOAD_HANDLERS:
the limit is evidence's, and raw names must reach no other code (other uploads, such as
questionnaire imports, keep Django's handlers and its sanitised names).
"""

from __future__ import annotations

import html
import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from questionnaires.uploads.limits import EvidenceTooLarge, evidence_too_large

# Room around the file in a body: boundaries, part headers (a long name in UTF-8 is a few
# hundred bytes), the CSRF token and the question key. A body of exactly the limit plus this
# is read; a file is read this far past the limit, so that one a little over is refused
# with its exact size.
MULTIPART_ALLOWANCE = 64 * 1024
# UploadedFile.name is cut to a base name (and ".." raises), so it cannot hold the client's
# name: that is `client_name`, and `name` says nothing.
PLACEHOLDER_NAME = "upload"


class EvidenceUpload(UploadedFile):
    """An uploaded file whose `client_name` is the name exactly as the client sent it:
    untrusted text for evidence_check to judge, never a path. `name` is a placeholder."""

    def __init__(self, file, *, client_name: str, content_type: str, size: int,
                 charset: str | None, content_type_extra: dict | None):
        super().__init__(file, PLACEHOLDER_NAME, content_type, size, charset, content_type_extra)
        self.client_name = client_name


class EvidenceUploadHandler(FileUploadHandler):
    """Spools each file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then in an anonymous
    temporary file, and never more than EVIDENCE_MAX_BYTES of it. When a file is too large,
    `refusal` is the EvidenceTooLarge to answer with and the upload stops."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.EVIDENCE_MAX_BYTES
        self.refusal: EvidenceTooLarge | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + MULTIPART_ALLOWANCE:
            # Parsing goes on up to the first file, not into it: the fields before it (the
            # portal's CSRF token and question) are read, so the refusal can be shown where
            # the person is.
            self.refusal = evidence_too_large(content_length, what="the upload")
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None,
                 content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset,
                         content_type_extra)
        if self.refusal is not None:
            raise StopUpload(connection_reset=True)
        # Closed by the request at its end, or here when the file is refused.
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR)

    def receive_data_chunk(self, raw_data, start):
        received = start + len(raw_data)
        if received <= self.limit:
            self.file.write(raw_data)
            return None
        # Over the limit: keep nothing more (and free what was kept), but read on a little,
        # so that a file just over the limit is refused with its exact size.
        self.file.close()
        if received > self.limit + MULTIPART_ALLOWANCE:
            # The file keeps coming. connection_reset: do not read the rest of the body;
            # the server discards it, or closes the connection after the answer.
            self.refusal = evidence_too_large(received, more_than=True)
            raise StopUpload(connection_reset=True)
        return None

    def file_complete(self, file_size):
        if file_size > self.limit:
            self.refusal = evidence_too_large(file_size)
            return None
        self.file.seek(0)
        return EvidenceUpload(self.file, client_name=self.file_name,
                              content_type=self.content_type, size=file_size,
                              charset=self.charset, content_type_extra=self.content_type_extra)

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()


class RawNameMultiPartParser(MultiPartParser):
    """Django's multipart parser, but a file name reaches the handlers as it was sent."""

    def __init__(self, META, input_data, upload_handlers, encoding=None):
        # Django's own handlers build temporary file paths and UploadedFile names from the
        # name they are given; only EvidenceUploadHandler may be handed an untrusted one.
        if not all(isinstance(h, EvidenceUploadHandler) for h in upload_handlers):
            raise TypeError("RawNameMultiPartParser feeds raw client file names: "
                            "EvidenceUploadHandler only")
        super().__init__(META, input_data, upload_handlers, encoding)

    def sanitize_file_name(self, file_name):
        # Browsers write characters the form's charset lacks as HTML character references;
        # decoding them, as Django does, reads the name rather than changes it. Only an empty
        # name means "no file chosen".
        return html.unescape(file_name) or None


class RawNameParsing(FileUploadHandler):
    """For a plain Django view: the only entry of request.upload_handlers, it takes over
    parsing through Django's hook for that (handle_raw_input) and parses with
    RawNameMultiPartParser for `handler`."""

    def __init__(self, handler: EvidenceUploadHandler):
        super().__init__()
        self.handler = handler

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        return RawNameMultiPartParser(META, input_data, [self.handler], encoding).parse()


def evidence_upload_handler(request: HttpRequest) -> EvidenceUploadHandler:
    """Make `request` parse its body as an evidence upload; call before anything reads
    request.POST or request.FILES (so a view that calls this must be csrf_exempt and check
    CSRF itself afterwards: CsrfViewMiddleware reads request.POST)."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [RawNameParsing(handler)]
    return handler


class EvidenceMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser with RawNameMultiPartParser and an EvidenceUploadHandler; a
    file over the limit is raised as EvidenceTooLarge (413, on the `file` field)."""

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context or {}
        request = context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handler = EvidenceUploadHandler(request)
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = RawNameMultiPartParser(meta, stream, [handler], encoding).parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        if handler.refusal is not None:
            raise handler.refusal
        return parsers.DataAndFiles(data, files)
