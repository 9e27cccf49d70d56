"""Questionnaire imports and report verification stop reading a body at their own limit
(IMPORT_MAX_BYTES, REPORT_VERIFY_MAX_BYTES), as evidence uploads do: a body that declares
more is refused before its file is read, and a file that runs past the limit is cut off.

Bodies are handed to Django as a server hands them, counting what Django reads of them (the
mixin of tests/uploads/test_upload_limits.py): before, a 120 MB body was read whole before
its 413, which status and message alone would not show."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from questionnaires.authoring.services.files import import_too_large
from questionnaires.uploads.parsers import MULTIPART_ALLOWANCE, LimitedUploadHandler
from tests.support.templates import template_rows
from tests.uploads.test_upload_corpus import BOUNDARY, multipart
from tests.uploads.test_upload_limits import READ, CountedBody, CountedStream

pytestmark = pytest.mark.django_db
LIMIT = 256 * 1024
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
IMPORT_API = "/api/v1/templates/import/"
VERIFY_API = "/api/v1/reports/verify/"


def over(limit: int, filename: str) -> bytes:
    """A body three times the limit, the file field last, as a form sends it."""
    return multipart(question="-", filename=filename, content=bytes(3 * limit))


def post_counted(client, url: str, body: bytes):
    counted = CountedBody(body)
    response = client.generic("POST", url, body, content_type=CONTENT_TYPE,
                              **{"wsgi.input": counted})
    return response, counted


# --- Questionnaire import ---------------------------------------------------------------------
def test_the_import_api_refuses_a_body_over_the_limit_before_reading_its_file(api, settings):
    settings.IMPORT_MAX_BYTES = LIMIT
    body = over(LIMIT, "big.yaml")
    response, counted = post_counted(api, IMPORT_API, body)
    assert response.status_code == 413
    assert response.json() == {"errors": [{"field": "file", "message": (
        f"the upload is {len(body):,} bytes; the largest accepted is {LIMIT:,} bytes")}]}
    assert counted.bytes_read <= READ < len(body) // 10
    assert template_rows() == (0, 0, 0)


def test_the_import_page_refuses_a_body_over_the_limit_before_reading_its_file(
        client, buyer, settings):
    settings.IMPORT_MAX_BYTES = LIMIT
    client.force_login(buyer.user)
    body = over(LIMIT, "big.yaml")
    response, counted = post_counted(client, reverse("workspace:templates-import"), body)
    assert response.status_code == 413
    assert f"the largest accepted is {LIMIT:,} bytes" in response.content.decode()
    assert counted.bytes_read <= READ
    assert template_rows() == (0, 0, 0)


def test_the_import_page_still_checks_csrf(buyer, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer.user)
    response = client.post(reverse("workspace:templates-import"),
                           {"file": SimpleUploadedFile("a.yaml", b"format: diligence/v1\n")})
    assert response.status_code == 403
    assert template_rows() == (0, 0, 0)


def test_an_import_file_just_over_the_limit_is_refused_with_its_size(api, settings):
    settings.IMPORT_MAX_BYTES = 10_000
    response = api.post(IMPORT_API, {"file": SimpleUploadedFile("a.yaml", b"#" * 10_001)},
                        format="multipart")
    assert response.status_code == 413
    assert response.json()["errors"] == [{"field": "file", "message":
                                          "the file is 10,001 bytes; the largest accepted "
                                          "is 10,000 bytes"}]


def test_an_import_file_that_runs_past_the_limit_is_cut_off_whatever_the_body_declared(
        settings):
    settings.IMPORT_MAX_BYTES = LIMIT
    body = multipart(question="-", filename="big.yaml", content=bytes(10 * LIMIT))
    stream = CountedStream(body)
    handler = LimitedUploadHandler(limit=LIMIT, refuse=import_too_large)
    meta = {"CONTENT_TYPE": CONTENT_TYPE, "CONTENT_LENGTH": "1000"}
    _, files = MultiPartParser(meta, stream, [handler], "utf-8").parse()
    assert "file" not in files
    assert handler.refusal.status_code == 413
    assert handler.refusal.message.startswith("the file is more than ")
    assert stream.bytes_read <= LIMIT + MULTIPART_ALLOWANCE + 2 * READ < len(body) // 5


# --- Report verification ----------------------------------------------------------------------
def test_verification_refuses_a_body_over_the_limit_before_reading_its_file(api, settings):
    settings.REPORT_VERIFY_MAX_BYTES = LIMIT
    body = over(LIMIT, "report.pdf")
    response, counted = post_counted(api, VERIFY_API, body)
    assert response.status_code == 413
    assert response.json() == {"errors": [{"field": "file", "message": (
        f"the upload is {len(body):,} bytes; no report is over {LIMIT:,} bytes")}]}
    assert counted.bytes_read <= READ < len(body) // 10


def test_verification_refuses_a_file_just_over_the_limit_with_its_size(api, settings):
    settings.REPORT_VERIFY_MAX_BYTES = 10_000
    response = api.post(VERIFY_API, {"file": SimpleUploadedFile("r.pdf", b"%" * 10_001)},
                        format="multipart")
    assert response.status_code == 413
    assert response.json()["errors"] == [{"field": "file", "message":
                                          "the file is 10,001 bytes; no report is over "
                                          "10,000 bytes"}]


def test_verification_within_the_limit_still_answers(api, settings):
    settings.REPORT_VERIFY_MAX_BYTES = LIMIT
    response = api.post(VERIFY_API, {"file": SimpleUploadedFile("r.txt", b"hello")},
                        format="multipart")
    assert response.status_code == 200
    assert response.json()["reason"] == "not a PDF file"
