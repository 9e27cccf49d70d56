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

The same bound serves every upload, each at its own limit (LimitedUploadHandler): evidence
at EVIDENCE_MAX_BYTES, questionnaire imports at IMPORT_MAX_BYTES, report verification at
REPORT_VERIFY_MAX_BYTES. Handlers are set per view, not in FILE_UPLOAD_HANDLERS, because
each limit is its view's, and raw names must reach no other code: only the two evidence
endpoints parse with RawNameMultiPartParser; other uploads keep Django's sanitised names.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from questionnaires.core.errors import DomainError
from questionnaires.uploads.limits import evidence_too_large

# refuse(size, what="the file", more_than=False): the 413 for a body or file of `size` bytes.
Refuse = Callable[..., DomainError]

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


class LimitedUploadHandler(FileUploadHandler):
    """Spools each file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then in an anonymous
    temporary file, and never more than `limit` bytes of it. A body that declares more than
    `limit` and MULTIPART_ALLOWANCE is refused before any of its files is read; a file that
    runs past the limit stops the upload. `refusal` is then the error to answer with, made
    by `refuse(size, what=..., more_than=...)` (a DomainError, 413)."""

    def __init__(self, request=None, *, limit: int, refuse: Refuse):
        super().__init__(request)
        self.limit = limit
        self.refuse = refuse
        self.refusal: DomainError | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + MULTIPART_ALLOWANCE:
            # Parsing goes on up to the first file, not into it: the fields before it (a
            # page's CSRF token, the portal's question) are read, so the refusal can be
            # shown where the person is.
            self.refusal = self.refuse(content_length, what="the upload")
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
            self.refusal = self.refuse(received, more_than=True)
            raise StopUpload(connection_reset=True)
        return None

    def file_complete(self, file_size):
        if file_size > self.limit:
            self.refusal = self.refuse(file_size)
            return None
        self.file.seek(0)
        return self.uploaded(file_size)

    def uploaded(self, file_size: int) -> UploadedFile:
        """The file as views see it; its name is the one Django's parser sanitised."""
        return UploadedFile(self.file, self.file_name, self.content_type, file_size,
                            self.charset, self.content_type_extra)

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()


class EvidenceUploadHandler(LimitedUploadHandler):
    """A LimitedUploadHandler at EVIDENCE_MAX_BYTES whose files keep the client's name as
    `client_name` (parsed with RawNameMultiPartParser)."""

    def __init__(self, request=None):
        super().__init__(request, limit=settings.EVIDENCE_MAX_BYTES, refuse=evidence_too_large)

    def uploaded(self, file_size: int) -> UploadedFile:
        return EvidenceUpload(self.file, client_name=self.file_name,
                              content_type=self.content_type, size=file_size,
                              charset=self.charset, content_type_extra=self.content_type_extra)


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


def limited_upload_handler(request: HttpRequest, *, limit: int, refuse: Refuse
                           ) -> LimitedUploadHandler:
    """Make `request` parse its body through a LimitedUploadHandler; the same rule as
    evidence_upload_handler on when to call it (so the view checks CSRF itself)."""
    handler = LimitedUploadHandler(request, limit=limit, refuse=refuse)
    request.upload_handlers = [handler]
    return handler


class LimitedMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser with a LimitedUploadHandler: a body or file over `limit()` is
    raised as the handler's refusal (413). Subclasses say the limit and the refusal."""

    def limit(self) -> int:
        raise NotImplementedError

    def refuse(self, size: int, *, what: str = "the file", more_than: bool = False
               ) -> DomainError:
        raise NotImplementedError

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context or {}
        meta = context["request"].META.copy()
        meta["CONTENT_TYPE"] = media_type
        handler = LimitedUploadHandler(context["request"], limit=self.limit(),
                                       refuse=self.refuse)
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = MultiPartParser(meta, stream, [handler], encoding).parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        if handler.refusal is not None:
            raise handler.refusal
        return parsers.DataAndFiles(data, files)


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
