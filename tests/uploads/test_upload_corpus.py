"""The hostile upload corpus, through the real endpoints a vendor uses.

Every hostile file is posted as a browser or curl would send it (the multipart body is built
here, so the file name goes out exactly as given) to `POST /api/v1/respond/evidence/` with an
invitation, and the polyglots and the oversize file also through the portal's upload form.
Each is refused with a 4xx and a JSON error naming the field and the reason, and leaves no
Evidence row, no file in private storage, no audit event and no changed answer behind. The
legitimate set is accepted and comes back byte for byte.

The size tests use the real limit (settings.EVIDENCE_MAX_BYTES, 25 MB); those files are
written once per module to a temporary folder. Over a real socket to gunicorn, they also
measure how much of a body is taken in and written to temporary files before the 413
(test_upload_limits.py does the same in process, at a small limit).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import http.client
import itertools
import json
import os
import re
import selectors
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from questionnaires.assessments.models import Answer, AnswerRevision, Evidence
from questionnaires.audit.models import AuditEvent
from tests.support.files import tiny_pdf
from tests.support.paths import ROOT
from tests.support.portal import open_portal
from tests.support.waiting import wait_for
from tests.support.workers import worker_env
from tests.uploads import corpus

pytestmark = pytest.mark.django_db
API = "/api/v1/respond/evidence/"
PORTAL = "/portal/evidence/"
HX = {"HTTP_HX_REQUEST": "true"}
BOUNDARY = "diligence-corpus-5f0c2a"
PRODUCTION_LIMIT = 25 * 1024 * 1024
PIECE = 256 * 1024  # what a socket client sends at a time


def multipart(*, question: str, filename: str, content: bytes,
              first: dict[str, str] | None = None) -> bytes:
    """A multipart/form-data body with the file name as given. Django's test client would
    cut the name to its last path part before sending; a hostile client does not. `first`:
    fields before the question, as a browser sends the form's CSRF token."""
    fields = {**(first or {}), "question": question}
    return b"".join([
        *(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
          f"{value}\r\n".encode() for name, value in fields.items()),
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode(),
        content, f"\r\n--{BOUNDARY}--\r\n".encode()])


def post_file(client, url: str = API, *, question: str = "policy", filename: str,
              content: bytes, first: dict[str, str] | None = None, **extra):
    return client.generic("POST", url, multipart(question=question, filename=filename,
                                                 content=content, first=first),
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
    # A NUL cuts a name short in C code ("report.exe"): refused as sent, not cleaned up into
    # something else.
    _case("nul-before-pdf", "report.exe\x00.pdf", tiny_pdf, 400, "control characters"),
    _case("nul-before-exe", "report.pdf\x00.exe", tiny_pdf, 400, "control characters"),
    # Names Django's own parser would drop the file for: they reach the checks as sent.
    _case("name-parent-folder", "../", tiny_pdf, 400, "folder path"),
    _case("name-ends-in-parent-folder", "evidence/..", tiny_pdf, 400, "folder path"),
    _case("name-only-parent", "..", tiny_pdf, 400, "'..'"),
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


# --- Over a real socket: the production server ------------------------------------------------
@dataclass
class Server:
    port: int
    private_root: Path
    temp_dir: Path
    pid: int


@pytest.fixture
def gunicorn(tmp_path):
    """The production server (gunicorn, its config, the gthread worker of the Dockerfile) on
    the test database, with private files and temporary files (TMPDIR) in this test's
    folder; gone after the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    env = {**worker_env(tmp_path / "mail"), "PRIVATE_ROOT": str(tmp_path / "private"),
           "TMPDIR": str(temp_dir)}
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
        yield Server(port, tmp_path / "private", temp_dir, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def temporary_bytes(server: Server) -> int:
    """Bytes of temporary files the server has now: the files in its TMPDIR, and the files
    its workers hold open with no name (deleted, or never named: O_TMPFILE)."""
    sizes = {}
    for path in server.temp_dir.rglob("*"):
        with contextlib.suppress(OSError):
            info = path.stat()
            if stat.S_ISREG(info.st_mode):
                sizes[(info.st_dev, info.st_ino)] = info.st_size
    workers = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()
               and _parent_pid(entry) == server.pid]
    assert workers, "no gunicorn worker found"
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target, info = os.readlink(fd), fd.stat()
                if stat.S_ISREG(info.st_mode) and (target.endswith(" (deleted)")
                                                   or target.startswith(str(server.temp_dir))):
                    sizes[(info.st_dev, info.st_ino)] = info.st_size
    return sum(sizes.values())


def _parent_pid(proc_entry: Path) -> int | None:
    try:
        # "pid (command) state ppid ...": the command may hold spaces, so split after it.
        return int((proc_entry / "stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Exchange:
    status: int
    content_type: str
    payload: dict
    sent: int  # bytes of the request (head and body) sent when the answer began to arrive
    request_size: int  # bytes of the whole request
    length: int  # its Content-Length: bytes of the body
    peak_temporary: int  # the most temporary_bytes() seen on the server meanwhile


def upload_over_a_socket(server: Server, token: str, content: Iterator[bytes],
                         content_size: int) -> Exchange:
    """POST a file of `content_size` bytes, given in pieces, as curl and browsers do: send
    while the server reads, and stop sending as soon as an answer arrives. Between sends,
    measure the server's temporary files."""
    head, _, tail = multipart(question="policy", filename="scan.pdf",
                              content=b"\x00").partition(b"\x00")
    size = len(head) + content_size + len(tail)
    request = (f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
               f"Authorization: Invite {token}\r\n"
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
               f"Content-Length: {size}\r\n\r\n").encode() + head
    pieces = (piece for piece in itertools.chain([request], content, [tail]) if piece)
    pending, sent, peak = b"", 0, 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock, \
            selectors.DefaultSelector() as selector:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while True:
            events = selector.select(timeout=60)
            assert events, f"no progress for 60 s after {sent:,} bytes"
            peak = max(peak, temporary_bytes(server))
            if events[0][1] & selectors.EVENT_READ:
                break
            pending = pending or next(pieces, b"")
            if not pending:  # all sent: wait for the answer
                selector.modify(sock, selectors.EVENT_READ)
                continue
            try:
                count = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                # The server answered and closed between the select and this send (a busy
                # machine widens the gap): stop sending and read its answer, as curl does.
                break
            sent, pending = sent + count, pending[count:]
        sock.setblocking(True)
        sock.settimeout(60)
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = json.loads(response.read())
        return Exchange(response.status, response.getheader("Content-Type"), payload, sent,
                        request_size=len(request) - len(head) + size, length=size,
                        peak_temporary=peak)


def pieces_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while piece := file.read(PIECE):
            yield piece


@pytest.mark.django_db(transaction=True)
def test_gunicorn_reads_a_file_one_byte_over_the_limit_whole_and_answers_413_with_its_size(
        issued, gunicorn, big_files):
    """A file just over the limit is read to its end, so the 413 says exactly how large it
    is, and a client that sends everything before reading still gets it; no more than the
    limit of it is kept meanwhile."""
    over = big_files["over"]
    exchange = upload_over_a_socket(gunicorn, issued.token, pieces_of(over), over.stat().st_size)
    limit = settings.EVIDENCE_MAX_BYTES
    assert (exchange.status, exchange.content_type) == (413, "application/json")
    assert exchange.payload == {"errors": [{"field": "file", "message": (
        f"the file is 25.0 MB ({limit + 1:,} bytes); the limit is 25.0 MB ({limit:,} bytes)")}]}
    assert exchange.sent == exchange.request_size
    # The measure sees the spooled file (so the 0 of the next test means something), and
    # it never holds more than the limit.
    assert limit // 2 < exchange.peak_temporary <= limit
    assert not issued.assessment.evidence.exists()
    assert not [p for p in gunicorn.private_root.rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_gunicorn_answers_a_body_three_times_the_limit_with_a_413_before_taking_it_in(
        issued, gunicorn):
    limit = settings.EVIDENCE_MAX_BYTES
    content_size = 3 * limit
    zeros = bytes(PIECE)
    content = itertools.chain(itertools.repeat(zeros, content_size // PIECE),
                              [zeros[:content_size % PIECE]])
    exchange = upload_over_a_socket(gunicorn, issued.token, content, content_size)
    assert (exchange.status, exchange.content_type) == (413, "application/json")
    assert exchange.payload == {"errors": [{"field": "file", "message": (
        f"the upload is 75.0 MB ({exchange.length:,} bytes); the limit is 25.0 MB "
        f"({limit:,} bytes)")}]}
    # Answered while most of the body was still to come (the socket buffers hold a few MB)
    # and with nothing of it written to a temporary file.
    assert exchange.sent < limit < exchange.length
    assert exchange.peak_temporary == 0
    assert not issued.assessment.evidence.exists()
    assert not [p for p in gunicorn.private_root.rglob("*") if p.is_file()]


# --- Names as the client sent them ---------------------------------------------------------------
# Django's multipart parser would rewrite these (last path part only, control characters
# dropped) and the upload would be accepted under another name; the evidence endpoints parse
# with the name as sent (questionnaires/uploads/parsers.py), so the checks refuse it, saying why.
FOLDER = "the file name must not contain a folder path"
CONTROL = "the file name contains control characters"
UNSAFE_NAMES = [
    pytest.param("../../etc/cron.d/report.pdf", FOLDER, id="parent-folders"),
    pytest.param("..\\..\\Windows\\report.pdf", FOLDER, id="windows-parent-folders"),
    pytest.param("/etc/cron.d/report.pdf", FOLDER, id="absolute-path"),
    pytest.param("bad\x00name.pdf", CONTROL, id="nul"),
    pytest.param("report\x1b[2J.pdf", CONTROL, id="terminal-escape"),
    pytest.param("..", "the file name must not contain '..'", id="only-parent-folder"),
]


@pytest.mark.parametrize(("sent", "reason"), UNSAFE_NAMES)
def test_a_name_with_a_folder_path_or_a_control_character_is_refused_over_the_api(
        respond, unchanged, sent, reason):
    response = post_file(respond, filename=sent, content=tiny_pdf())
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "file", "message": reason}]}
    unchanged()


@pytest.mark.parametrize(("sent", "reason"), UNSAFE_NAMES)
def test_a_name_with_a_folder_path_or_a_control_character_is_refused_by_the_portal_form(
        client, answered, unchanged, sent, reason):
    open_portal(client, answered.token)
    response = post_file(client, PORTAL, question="soc2_report", filename=sent,
                         content=tiny_pdf(), **HX)
    assert response.status_code == 400
    assert status_next_to(response.content.decode(), "soc2_report") == ("status status-error",
                                                                        reason)
    unchanged()


def test_the_portal_form_takes_the_name_as_sent_and_still_checks_csrf(answered, unchanged):
    """The upload view reads the body itself, after CsrfViewMiddleware would have: the check
    must still happen, and with the token the name must still arrive as sent."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(answered.url_path)
    assert browser.post(answered.url_path, {
        "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}).status_code == 302
    forged = post_file(browser, PORTAL, question="soc2_report", filename="report.pdf",
                       content=tiny_pdf(), **HX)
    assert forged.status_code == 403
    with_token = post_file(browser, PORTAL, question="soc2_report",
                           filename="../../etc/cron.d/report.pdf", content=tiny_pdf(),
                           first={"csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
                           **HX)
    assert with_token.status_code == 400
    assert status_next_to(with_token.content.decode(), "soc2_report")[1] == FOLDER
    unchanged()


@pytest.mark.parametrize(("sent", "shown"), [
    # A right-to-left override would show "Rapportgnp.pdf" as "Rapportfdp.png".
    ("Rapport\u202egnp.pdf", "Rapportgnp.pdf"),
    ("Q3 report: final?.pdf", "Q3 report_ final_.pdf"),
    ("  .hidden   report.pdf", "hidden report.pdf"),
])
def test_an_accepted_name_is_shown_sanitised_and_the_file_stored_under_a_random_name(
        respond, answered, private_storage, sent, shown):
    """Names now arrive as sent, so what is shown and put in a Content-Disposition header is
    the service's sanitised one, and the stored file's name is random, never the client's."""
    response = post_file(respond, filename=sent, content=tiny_pdf())
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == shown
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
