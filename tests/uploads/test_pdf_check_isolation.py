"""pypdf reads an evidence PDF in a child process with a deadline and a memory cap: a PDF built
to be slow or costly for pypdf is refused with the reason, and the web thread is free again
within the deadline; real PDFs are still accepted."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time

import pytest

from questionnaires.uploads import checks as file_checks
from questionnaires.uploads import pdf_probe
from tests.support.files import PAGE_OBJECTS, check, pdf, refused, upload
from tests.support.portal import invite_client
from tests.uploads import corpus

DEADLINE = 2
# What the deadline may cost on top: the byte scans in the web process, starting the child,
# and killing it.
SLACK = 3


def slow_trailer_pdf(megabytes: int) -> bytes:
    """A valid one-page PDF whose trailer holds one long hex string. pypdf parses a hex
    string a byte pair at a time in Python, about 0.55 s of CPU a megabyte here, while every
    bound it and we have (array, dictionary, object stream sizes) lets it through."""
    junk = b" /Junk <" + b"41" * (megabytes * 1024 * 1024 // 2) + b">"
    return pdf(PAGE_OBJECTS).replace(b"/Root 1 0 R", b"/Root 1 0 R" + junk)


@pytest.fixture
def children(monkeypatch):
    """The command line of each child the check starts (the real subprocess.run runs it)."""
    started = []
    real_run = subprocess.run

    def run(args, **kwargs):
        started.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    return started


def timed_refusal(content: bytes) -> tuple[str, float]:
    started = time.monotonic()
    message = refused("report.pdf", content)
    return message, time.monotonic() - started


# --- Real PDFs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [corpus.weasyprint_pdf,
                                   lambda: corpus.password_pdf(user_password="",
                                                               algorithm="AES-256")],
                         ids=["weasyprint-report", "aes-owner-password"])
def test_a_real_pdf_is_accepted_by_the_check_in_a_child_process(settings, children, build):
    assert check("report.pdf", build()).content_type == "application/pdf"
    assert children == [[sys.executable, "-m", "questionnaires.uploads.pdf_probe",
                         str(settings.EVIDENCE_PDF_CHECK_SECONDS),
                         str(settings.EVIDENCE_PDF_CHECK_MEMORY_MB)]]


@pytest.mark.django_db
def test_a_weasyprint_report_is_accepted_over_the_api(issued, private_storage, children):
    content = corpus.weasyprint_pdf()
    response = invite_client(issued.token).post(
        "/api/v1/respond/evidence/", {"question": "policy", "file": upload("report.pdf", content)},
        format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == len(content) and len(children) == 1


def test_a_refusal_found_by_pypdf_comes_back_from_the_child_word_for_word(children):
    # The byte scan cannot see a script packed in an object stream: only pypdf's reading can.
    data = corpus.compressed_pdf_opening_javascript()
    assert "when it is opened (/OpenAction)" in refused("report.pdf", data)
    assert len(children) == 1


def test_the_child_imports_no_django():
    code = ("import sys\nfrom questionnaires.uploads import pdf_probe\n"
            "pdf_probe.main(['10', '512'])\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))")
    done = subprocess.run([sys.executable, "-c", "import json\n" + code],
                          input=corpus.weasyprint_pdf(), capture_output=True, check=True,
                          cwd=pdf_probe.ROOT)
    verdict, django_modules = done.stdout.decode().splitlines()
    assert json.loads(verdict) == {"refused": None}
    assert json.loads(django_modules) == []


# --- Built to be slow --------------------------------------------------------------------------
def test_the_slow_trailer_costs_pypdf_more_than_the_deadline_in_process():
    """Why the child matters: in the web process, pypdf alone would hold the thread longer."""
    started = time.process_time()
    file_checks.check_pdf_document(io.BytesIO(slow_trailer_pdf(8)))  # pypdf finds it fine
    assert time.process_time() - started > DEADLINE


def test_a_pdf_slow_for_pypdf_is_refused_once_the_deadline_passes(settings, children):
    settings.EVIDENCE_PDF_CHECK_SECONDS = DEADLINE
    message, elapsed = timed_refusal(slow_trailer_pdf(8))
    assert elapsed < DEADLINE + SLACK
    assert message == ("the PDF could not be checked within 2 seconds; it may be damaged or "
                       "built to be slow to read - save it again (print to PDF) and upload it")
    assert children[0][-2] == "2"


@pytest.mark.django_db
def test_a_pdf_slow_for_pypdf_is_a_400_over_the_api_within_the_deadline(settings, issued,
                                                                         private_storage):
    settings.EVIDENCE_PDF_CHECK_SECONDS = DEADLINE
    started = time.monotonic()
    response = invite_client(issued.token).post(
        "/api/v1/respond/evidence/",
        {"question": "policy", "file": upload("report.pdf", slow_trailer_pdf(8))},
        format="multipart")
    assert time.monotonic() - started < DEADLINE + SLACK
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert "could not be checked within 2 seconds" in error["message"]
    assert not list(private_storage.rglob("*"))


def test_a_child_nobody_kills_ends_at_its_own_cpu_limit():
    """If the web worker dies while it waits, the child stops itself: SIGXCPU after 1 s."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "questionnaires.uploads.pdf_probe", "1", "512"],
                          input=slow_trailer_pdf(8), capture_output=True, cwd=pdf_probe.ROOT,
                          timeout=30)
    assert done.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    assert time.monotonic() - started < 1 + SLACK


# --- Built to be costly in memory --------------------------------------------------------------
def test_a_child_over_its_memory_cap_is_refused_with_the_reason(settings, tmp_path):
    """64 MB is enough to start and import pypdf (about 57 MB here) but not to hold a 25 MB
    file: the child's own MemoryError, not a crash, and the same file passes under the
    default cap."""
    content = corpus.write_pdf_of_size(tmp_path / "scan.pdf", 25 * 1024 * 1024).read_bytes()
    assert check("scan.pdf", content).size == len(content)
    settings.EVIDENCE_PDF_CHECK_MEMORY_MB = 64
    assert refused("scan.pdf", content) == (
        "the PDF needs more than 64 MB of memory to check; it may be damaged or built to be "
        "costly to read - save it again (print to PDF) and upload it")


def test_a_child_that_dies_in_any_other_way_is_a_refusal_not_a_server_error(monkeypatch):
    def crashed(args, **kwargs):
        return subprocess.CompletedProcess(args, -signal.SIGSEGV, b"", b"Segmentation fault")

    monkeypatch.setattr(subprocess, "run", crashed)
    assert refused("report.pdf", corpus.weasyprint_pdf()) == (
        "the PDF could not be checked; it may be damaged or built to be hard to read - save it "
        "again (print to PDF) and upload it")
