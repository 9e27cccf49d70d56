"""The hostile upload corpus, through the real endpoints a vendor uses.

Every hostile file is posted as a browser or curl would send it (the multipart body is built
here, so the file name goes out exactly as given) to `POST /api/v1/respond/evidence/` with an
invitation, and the polyglots and the oversize file also through the portal's upload form.
Each is refused with a 4xx and a JSON error naming the field and the reason, and leaves no
Evidence row, no file in private storage, no audit event and no changed answer behind. The
legitimate set is accepted and comes back byte for byte.

The size tests use the real limit (settings.EVIDENCE_MAX_BYTES, 25 MB); those files are
written once per module to a temporary folder.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from questionnaires.models import Answer, AnswerRevision, AuditEvent, Evidence
from tests.conftest import ROOT, wait_for, worker_env
from tests.portal import corpus
from tests.portal.helpers import open_portal, tiny_pdf

pytestmark = pytest.mark.django_db
API = "/api/v1/respond/evidence/"
PORTAL = "/portal/evidence/"
HX = {"HTTP_HX_REQUEST": "true"}
BOUNDARY = "diligence-corpus-5f0c2a"
PRODUCTION_LIMIT = 25 * 1024 * 1024


def multipart(*, question: str, filename: str, content: bytes) -> bytes:
    """A multipart/form-data body with the file name as given. Django's test client would
    cut the name to its last path part before sending; a hostile client does not."""
    return b"".join([
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="question"\r\n\r\n'
        f"{question}\r\n".encode(),
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode(),
        content, f"\r\n--{BOUNDARY}--\r\n".encode()])


def post_file(client, url: str = API, *, question: str = "policy", filename: str,
              content: bytes, **extra):
    return client.generic("POST", url, multipart(question=question, filename=filename,
                                                 content=content),
                          content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


def put(client, key: str, value, version: int = 0):
    return client.put(f"/api/v1/respond/answers/{key}/", {"value": value, "version": version},
                      format="json")


# --- The state a refusal must leave alone -----------------------------------------------------
@pytest.fixture
def answered(issued, respond, private_storage):
    """Answers saved and one file already accepted and attached, as mid-questionnaire."""
    for key, value in (("company", "LabelWorks GmbH"), ("headcount", 120),
                       ("has_investors", "no"), ("certs", ["soc2"]), ("policy", "yes")):
        assert put(respond, key, value).status_code == 200
    first = post_file(respond, question="soc2_report", filename="soc2.pdf", content=tiny_pdf())
    assert first.status_code == 201, first.json()
    assert put(respond, "soc2_report", [first.json()["id"]]).status_code == 200
    return issued


def snapshot(assessment, storage: Path) -> dict:
    return {
        "answers": {a.question.key: (a.value, a.comment, a.version, a.updated_at)
                    for a in Answer.objects.filter(assessment=assessment).select_related("question")},
        "revisions": AnswerRevision.objects.filter(answer__assessment=assessment).count(),
        "evidence": sorted(str(pk) for pk in Evidence.objects.filter(
            assessment=assessment).values_list("pk", flat=True)),
        "audit": AuditEvent.objects.filter(action__startswith="evidence.").count(),
        "files": sorted(str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file()),
    }


@pytest.fixture
def unchanged(answered, private_storage):
    """Call after the request: asserts nothing of the assessment changed."""
    before = snapshot(answered.assessment, private_storage)
    assert len(before["evidence"]) == 1 and len(before["files"]) == 1 and before["answers"]

    def check():
        assert snapshot(answered.assessment, private_storage) == before
    return check


# --- The 25 MB files --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> dict[str, Path]:
    """A PDF of exactly the limit and one of a byte more, built the same way, written once."""
    limit = settings.EVIDENCE_MAX_BYTES
    assert limit == PRODUCTION_LIMIT, "the corpus runs at the production limit"
    folder = tmp_path_factory.mktemp("corpus")
    return {"at": corpus.write_pdf_of_size(folder / "at-limit.pdf", limit),
            "over": corpus.write_pdf_of_size(folder / "over-limit.pdf", limit + 1)}


# --- Hostile files over the API ---------------------------------------------------------------
def _case(case_id, filename, build, status, reason):
    return pytest.param(filename, build, status, reason, id=case_id)


POLYGLOTS = [
    _case("png-with-jar", "diagram.png", corpus.png_with_jar, 400, "also holds a ZIP archive"),
    _case("jpeg-with-jar", "photo.jpg", corpus.jpeg_with_jar, 400, "also holds a ZIP archive"),
    _case("pdf-with-jar-in-a-stream", "report.pdf", corpus.pdf_with_jar_in_a_stream, 400,
          "also holds a ZIP archive"),
    _case("pdf-with-zip-after-eof", "report.pdf", corpus.pdf_with_zip_after_eof, 400,
          "also holds a ZIP archive"),
    _case("png-with-data-after-iend", "diagram.png", corpus.png_with_data_after_iend, 400,
          "bytes after its end (the IEND chunk)"),
    _case("png-with-script-in-text-chunk", "diagram.png", corpus.png_with_script_in_a_text_chunk,
          400, "web page markup ('<script'"),
    _case("png-with-html-after-iend", "diagram.png", corpus.png_with_html_after_iend, 400,
          "web page markup ('<!DOCTYPE'"),
    _case("jpeg-with-html", "photo.jpg", corpus.jpeg_with_html_in_a_comment, 400,
          "web page markup ('<!DOCTYPE'"),
    _case("jpeg-with-svg", "photo.jpg", corpus.jpeg_with_svg_in_a_comment, 400,
          "web page markup ('<svg'"),
    _case("jpeg-with-php", "photo.jpg", corpus.jpeg_with_php_in_a_comment, 400,
          "web page markup ('<?php'"),
    _case("pdf-with-html-in-header", "report.pdf", corpus.pdf_with_html_in_its_header, 400,
          "web page markup ('<!DOCTYPE' at byte 10)"),
    _case("pdf-with-html-after-eof", "report.pdf", corpus.pdf_with_html_after_eof, 400,
          "web page markup ('<!DOCTYPE'"),
    _case("pdf-opening-javascript", "report.pdf", corpus.pdf_opening_javascript, 400,
          "carries JavaScript (/JavaScript at byte"),
    _case("pdf-javascript-escaped", "report.pdf", corpus.pdf_opening_javascript_spelled_with_escapes,
          400, "/Java#53cript, that is /JavaScript"),
    _case("pdf-launch", "report.pdf", corpus.pdf_launching_a_program, 400,
          "a launch action, which can start programs (/Launch"),
    _case("pdf-compressed-open-action", "report.pdf", corpus.compressed_pdf_opening_javascript, 400,
          "when it is opened (/OpenAction)"),
    _case("pdf-compressed-chained-script", "report.pdf", corpus.compressed_pdf_with_a_chained_script,
          400, "when it is opened (/OpenAction)"),
    _case("pdf-compressed-document-actions", "report.pdf", corpus.compressed_pdf_with_document_actions,
          400, "on document events"),
    _case("pdf-compressed-names-javascript", "report.pdf",
          corpus.compressed_pdf_with_document_javascript, 400, "(/Names /JavaScript)"),
    _case("pdf-compressed-page-script", "report.pdf", corpus.compressed_pdf_with_a_page_opening_script,
          400, "in compressed object stream"),
    _case("pdf-catalog-token-bomb", "report.pdf", corpus.compressed_pdf_with_a_huge_catalog, 400,
          "structure is too large to check"),
    _case("pdf-damaged", "report.pdf", corpus.damaged_pdf, 400, "damaged and cannot be read"),
    _case("pdf-with-a-password", "report.pdf", lambda: corpus.password_pdf(user_password="s3cret"),
          400, "protected by a password"),
]

HOSTILE = [
    _case("windows-exe-as-pdf", "report.pdf", lambda: corpus.WINDOWS_EXE, 400, "Windows program"),
    _case("windows-exe-as-png", "diagram.png", lambda: corpus.WINDOWS_EXE, 400, "Windows program"),
    _case("windows-exe-as-docx", "policy.docx", lambda: corpus.WINDOWS_EXE, 400, "Windows program"),
    _case("linux-elf-as-pdf", "report.pdf", lambda: corpus.LINUX_ELF, 400, "Linux program"),
    _case("linux-elf-as-png", "diagram.png", lambda: corpus.LINUX_ELF, 400, "Linux program"),
    _case("linux-elf-as-docx", "policy.docx", lambda: corpus.LINUX_ELF, 400, "Linux program"),
    _case("shell-script-as-txt", "notes.txt", lambda: corpus.SHELL_SCRIPT, 400, "a script"),
    _case("html-as-txt", "notes.txt", lambda: corpus.HTML_PAGE, 400, "web pages"),
    _case("html-as-csv", "export.csv", lambda: corpus.HTML_PAGE, 400, "web pages"),
    _case("svg-as-png", "diagram.png", lambda: corpus.SVG_SCRIPT, 400, "not a PNG image"),
    _case("svg-as-txt", "diagram.txt", lambda: corpus.SVG_SCRIPT, 400, "web pages"),
    *POLYGLOTS,
    _case("double-extension-pdf-exe", "report.pdf.exe", tiny_pdf, 400, "double extension"),
    _case("double-extension-exe-pdf", "report.exe.pdf", tiny_pdf, 400, "double extension"),
    # A NUL cuts a name short in C code ("report.exe"); Django drops the NUL and the name
    # that remains has two extensions.
    _case("nul-before-pdf", "report.exe\x00.pdf", tiny_pdf, 400, "double extension"),
    _case("nul-before-exe", "report.pdf\x00.exe", tiny_pdf, 400, "double extension"),
    # A name that is only a parent folder: Django drops the file, so there is none.
    _case("name-parent-folder", "../", tiny_pdf, 400, "No file was submitted"),
    _case("name-ends-in-parent-folder", "evidence/..", tiny_pdf, 400, "No file was submitted"),
    _case("zip-bomb-as-docx", "policy.docx", corpus.zip_bomb_docx, 400, "compression bomb"),
    _case("docx-with-macros", "policy.docx", corpus.docx_with_macros, 400, "macros"),
]


@pytest.mark.parametrize(("filename", "build", "status", "reason"), HOSTILE)
def test_a_hostile_file_is_refused_over_the_api_and_leaves_nothing_behind(respond, unchanged, filename,
                                                                          build, status, reason):
    response = post_file(respond, filename=filename, content=build())
    assert response.status_code == status
    errors = response.json()["errors"]
    assert len(errors) == 1 and errors[0]["field"] == "file"
    assert reason in errors[0]["message"]
    unchanged()


def test_one_byte_over_the_real_limit_is_a_413_naming_the_limit(respond, unchanged, big_files):
    limit = settings.EVIDENCE_MAX_BYTES
    response = post_file(respond, filename="scan.pdf", content=big_files["over"].read_bytes())
    assert response.status_code == 413
    assert response.json() == {"errors": [{"field": "file", "message": (
        f"the file is 25.0 MB ({limit + 1:,} bytes); the limit is 25.0 MB ({limit:,} bytes)")}]}
    unchanged()


@pytest.fixture
def gunicorn(tmp_path):
    """The production server (gunicorn, its config, the gthread worker of the Dockerfile) on
    the test database, with private files in this test's folder; gone after the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**worker_env(tmp_path / "mail"), "PRIVATE_ROOT": str(tmp_path / "private")}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:diligence.gunicorn",
             "diligence.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=30, what="gunicorn to listen")
        yield port, tmp_path / "private"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_one_byte_over_the_limit_with_the_413_not_a_dropped_connection(
        issued, gunicorn, big_files):
    """Over a real socket, streamed from disk: the whole body is read and answered."""
    port, private_root = gunicorn
    over = big_files["over"]
    head, _, tail = multipart(question="policy", filename="scan.pdf",
                              content=b"\x00").partition(b"\x00")

    def body():
        yield head
        with over.open("rb") as file:
            while piece := file.read(1024 * 1024):
                yield piece
        yield tail

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", API, body=body(), headers={
        "Authorization": f"Invite {issued.token}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(len(head) + over.stat().st_size + len(tail))})
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    limit = settings.EVIDENCE_MAX_BYTES
    assert response.status == 413 and response.getheader("Content-Type") == "application/json"
    assert payload == {"errors": [{"field": "file", "message": (
        f"the file is 25.0 MB ({limit + 1:,} bytes); the limit is 25.0 MB ({limit:,} bytes)")}]}
    assert not issued.assessment.evidence.exists()
    assert not [p for p in private_root.rglob("*") if p.is_file()]


# --- Names Django rewrites before the application sees them -----------------------------------
@pytest.mark.parametrize(("sent", "stored"), [
    ("../../etc/cron.d/report.pdf", "report.pdf"),
    ("..\\..\\Windows\\report.pdf", "report.pdf"),
    ("bad\x00name.pdf", "badname.pdf"),
])
def test_folders_and_nul_in_a_sent_name_never_reach_storage(respond, answered, private_storage, sent,
                                                            stored):
    """Django's multipart parser keeps only the last path part of a name and drops control
    characters, so these arrive as a plain name (the service would refuse the raw ones, see
    test_evidence.py). What matters here: the name shown is the plain one, and the file is
    stored under a random name inside private storage."""
    response = post_file(respond, filename=sent, content=tiny_pdf())
    assert response.status_code == 201
    assert response.json()["name"] == stored
    evidence = Evidence.objects.get(pk=response.json()["id"])
    path = Path(evidence.file.path).resolve()
    assert path.is_relative_to(private_storage.resolve() / "evidence")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name)
    stored_files = [p for p in private_storage.rglob("*") if p.is_file()]
    assert len(stored_files) == 2 and all(re.fullmatch(r"[0-9a-f]{32}\.pdf", p.name)
                                          for p in stored_files)


# --- Legitimate files over the API ------------------------------------------------------------
def download(api, issued, evidence_id: str) -> tuple[int, str]:
    response = api.get(f"/api/v1/assessments/{issued.assessment.pk}/evidence/{evidence_id}/")
    assert response.status_code == 200
    digest, size = hashlib.sha256(), 0
    for piece in response.streaming_content:
        digest.update(piece)
        size += len(piece)
    return size, digest.hexdigest()


@pytest.mark.parametrize("filename", sorted(corpus.LEGITIMATE))
def test_a_legitimate_file_is_accepted_and_comes_back_byte_for_byte(respond, api, issued,
                                                                     private_storage, filename):
    content = corpus.LEGITIMATE[filename]()
    response = post_file(respond, filename=filename, content=content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["size"]) == (filename, len(content))
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert download(api, issued, body["id"]) == (len(content), body["sha256"])


def test_a_file_of_exactly_the_limit_is_accepted_and_comes_back_byte_for_byte(respond, api, issued,
                                                                              private_storage,
                                                                              big_files):
    content = big_files["at"].read_bytes()
    assert len(content) == settings.EVIDENCE_MAX_BYTES
    response = post_file(respond, filename="scanned-report.pdf", content=content)
    assert response.status_code == 201, response.json()
    sha256 = hashlib.sha256(content).hexdigest()
    del content
    assert response.json()["sha256"] == sha256
    assert download(api, issued, response.json()["id"]) == (settings.EVIDENCE_MAX_BYTES, sha256)


# --- The portal's upload form -----------------------------------------------------------------
def status_next_to(page: str, key: str) -> tuple[str, str]:
    """(class, text) of the upload status line of question `key`."""
    found = re.search(rf'<p id="upload-status-{key}" class="([^"]*)"[^>]*>(.*?)</p>', page, re.S)
    assert found, f"no upload status for {key}"
    return found.group(1), html.unescape(found.group(2))


@pytest.mark.parametrize(("filename", "build", "status", "reason"), POLYGLOTS)
def test_a_polyglot_is_refused_by_the_portal_form_next_to_its_question(client, answered, unchanged,
                                                                       filename, build, status,
                                                                       reason):
    open_portal(client, answered.token)
    response = post_file(client, PORTAL, question="soc2_report", filename=filename,
                         content=build(), **HX)
    assert response.status_code == status
    css, text = status_next_to(response.content.decode(), "soc2_report")
    assert "status-error" in css and reason in text
    unchanged()


def test_an_oversize_file_is_refused_by_the_portal_form_next_to_its_question(client, answered,
                                                                             unchanged, big_files):
    open_portal(client, answered.token)
    response = post_file(client, PORTAL, question="soc2_report", filename="scan.pdf",
                         content=big_files["over"].read_bytes(), **HX)
    assert response.status_code == 413
    css, text = status_next_to(response.content.decode(), "soc2_report")
    assert "status-error" in css
    assert f"the limit is 25.0 MB ({settings.EVIDENCE_MAX_BYTES:,} bytes)" in text
    unchanged()


def test_without_javascript_a_refusal_returns_to_the_question_with_the_reason(client, answered,
                                                                              unchanged):
    open_portal(client, answered.token)
    response = post_file(client, PORTAL, question="soc2_report", filename="diagram.png",
                         content=corpus.png_with_jar())
    assert response.status_code == 302
    assert response["Location"] == "/portal/section/security/#q-soc2_report"
    page = client.get(response["Location"]).content.decode()
    assert "also holds a ZIP archive" in html.unescape(page)
    unchanged()
