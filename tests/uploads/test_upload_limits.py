"""How much of an evidence upload is read, and which name reaches the checks
(questionnaires/uploads/parsers.py), at a small limit so that bodies many times over it stay small.

A body is handed to Django as a server hands it (the same file-like wsgi.input), counting
what Django reads of it: a refusal that still read the whole body would pass on status and
message alone. test_upload_corpus.py does the same over a real socket at the real limit.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test.client import FakePayload

from questionnaires.assessments.models import Evidence
from questionnaires.uploads.parsers import (
    MULTIPART_ALLOWANCE,
    EvidenceUploadHandler,
    RawNameMultiPartParser,
)
from tests.support.files import tiny_pdf
from tests.support.portal import open_portal
from tests.uploads.test_upload_corpus import API, BOUNDARY, HX, PORTAL, multipart, status_next_to

LIMIT = 256 * 1024
# Django reads a body 64 KiB at a time (FileUploadHandler.chunk_size).
READ = 64 * 1024
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def limit(settings) -> int:
    settings.EVIDENCE_MAX_BYTES = LIMIT
    return LIMIT


class Counting:
    """Counts the bytes read of the stream it is mixed into."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1, /):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


class CountedBody(Counting, FakePayload):
    """A request body as a WSGI server hands it to Django, counting the bytes read of it."""


def post_counted(client, url: str, body: bytes, **extra):
    counted = CountedBody(body)
    response = client.generic("POST", url, body, content_type=CONTENT_TYPE,
                              **{**extra, "wsgi.input": counted})
    return response, counted


def three_times_over(limit: int, question: str) -> bytes:
    return multipart(question=question, filename="scan.pdf", content=bytes(3 * limit))


# --- A body that declares far more than the limit -------------------------------------------
@pytest.mark.django_db
def test_the_api_refuses_a_body_declaring_three_times_the_limit_before_reading_its_file(
        respond, issued, limit, private_storage):
    body = three_times_over(limit, "policy")
    response, counted = post_counted(respond, API, body)
    assert response.status_code == 413
    assert response.json() == {"errors": [{"field": "file", "message": (
        f"the upload is 0.8 MB ({len(body):,} bytes); the limit is 0.2 MB ({limit:,} bytes)")}]}
    assert counted.bytes_read <= READ < len(body) // 10  # the fields and one read, no more
    assert not Evidence.objects.exists()
    assert not [p for p in private_storage.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_the_portal_shows_the_refusal_of_a_body_far_over_the_limit_next_to_its_question(
        client, issued, limit, private_storage):
    open_portal(client, issued.token)
    body = three_times_over(limit, "policy")
    response, counted = post_counted(client, PORTAL, body, **HX)
    assert response.status_code == 413
    css, text = status_next_to(response.content.decode(), "policy")
    assert "status-error" in css
    assert text == (f"the upload is 0.8 MB ({len(body):,} bytes); the limit is 0.2 MB "
                    f"({limit:,} bytes)")
    assert counted.bytes_read <= READ
    assert not Evidence.objects.exists()
    assert not [p for p in private_storage.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_body_of_the_limit_and_its_framing_is_read_and_its_file_accepted(respond, issued,
                                                                            limit):
    """The allowance is for framing: a file of exactly the limit is still accepted."""
    content = b"a" * limit
    response, counted = post_counted(respond, API, multipart(question="policy",
                                                             filename="notes.txt",
                                                             content=content))
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == limit and counted.bytes_read > limit


# --- The handler on its own -------------------------------------------------------------------
class CountedStream(Counting, io.BytesIO):
    """A body handed to the parser directly, counting the bytes read of it."""


def parse(body: bytes, *, declared: int | None = None):
    """Parse as the evidence endpoints do, from a stream that ends only where the body does
    (Django's request would stop at Content-Length); `declared` is the Content-Length."""
    stream = CountedStream(body)
    handler = EvidenceUploadHandler()
    meta = {"CONTENT_TYPE": CONTENT_TYPE, "CONTENT_LENGTH": str(declared or len(body))}
    post, files = RawNameMultiPartParser(meta, stream, [handler], "utf-8").parse()
    return post, files, handler, stream


def test_a_file_that_runs_on_past_the_limit_is_cut_off_whatever_the_body_declared(limit):
    """Django reads no further than Content-Length, so the check on it bounds a body; this is
    the bound that holds without one: the file itself stops being read."""
    body = multipart(question="policy", filename="scan.pdf", content=bytes(10 * limit))
    post, files, handler, stream = parse(body, declared=1000)
    assert post["question"] == "policy" and "file" not in files
    message = handler.refusal.message
    assert message.startswith("the file is more than ") and handler.refusal.status_code == 413
    assert message.endswith(f"; the limit is 0.2 MB ({limit:,} bytes)")
    assert stream.bytes_read <= limit + MULTIPART_ALLOWANCE + 2 * READ < len(body) // 5


def test_a_file_just_over_the_limit_is_refused_with_its_exact_size_and_not_kept(limit):
    post, files, handler, _ = parse(multipart(question="policy", filename="scan.pdf",
                                              content=bytes(limit + 10)))
    assert "file" not in files
    assert handler.refusal.message == (f"the file is 0.3 MB ({limit + 10:,} bytes); the limit "
                                       f"is 0.2 MB ({limit:,} bytes)")
    assert handler.file.closed  # what was spooled of it is gone


@pytest.mark.parametrize("sent", ["../../etc/cron.d/report.pdf", "bad\x00name.pdf", "..",
                                  "C:\\Users\\vera\\report.pdf"])
def test_the_name_reaches_the_upload_as_sent_and_the_file_name_is_a_placeholder(limit, sent):
    _, files, handler, _ = parse(multipart(question="policy", filename=sent, content=tiny_pdf()))
    upload = files["file"]
    assert upload.client_name == sent and upload.name == "upload"
    assert upload.read() == tiny_pdf() and handler.refusal is None


def test_raw_names_are_only_handed_to_the_evidence_handler():
    """Django's own handlers build temporary paths from the name they get."""
    meta = {"CONTENT_TYPE": CONTENT_TYPE, "CONTENT_LENGTH": "10"}
    with pytest.raises(TypeError, match="EvidenceUploadHandler only"):
        RawNameMultiPartParser(meta, io.BytesIO(b""), [TemporaryFileUploadHandler()], "utf-8")
