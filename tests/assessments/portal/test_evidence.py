"""Evidence: the type is decided by the content, names are checked, files are served only to
those who may read them, and only as attachments."""

from __future__ import annotations

import io
import zipfile

import pytest

from questionnaires.assessments.services.evidence import EvidenceTooLarge
from tests.support.actors import api_client_for
from tests.support.files import check, docx, refused, tiny_jpeg, tiny_pdf, tiny_png, upload, xlsx
from tests.support.portal import invite_client, open_portal


# --- Accepted ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("report.pdf", tiny_pdf(), "application/pdf"),
    ("diagram.png", tiny_png(), "image/png"),
    ("photo.JPG", tiny_jpeg(), "image/jpeg"),
    ("notes.txt", "Données chiffrées au repos.\n".encode(), "text/plain; charset=utf-8"),
    ("subprocessors.csv", b"name,country\nAcme,DE\n", "text/csv; charset=utf-8"),
    ("policy.docx", docx(), "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document"),
    ("register.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_allowed_types_are_accepted_with_the_type_decided_by_the_server(name, content,
                                                                       content_type):
    checked = check(name, content)
    assert checked.content_type == content_type and checked.size == len(content)
    assert len(checked.sha256) == 64


def test_a_text_file_mentioning_markup_later_on_is_still_text():
    assert check("policy.txt", b"We strip <script> tags from every input.\n").extension == "txt"


# --- Refused ----------------------------------------------------------------------------------
def test_a_windows_executable_renamed_pdf_is_refused():
    assert "Windows program" in refused("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 300)


def test_a_linux_executable_renamed_pdf_is_refused():
    assert "Linux program" in refused("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 300)


def test_a_script_renamed_txt_is_refused():
    assert "script" in refused("notes.txt", b"#!/bin/sh\nrm -rf /\n")


@pytest.mark.parametrize("name", ["report.pdf.exe", "report.exe.pdf", "invoice.html",
                                  "chart.svg", "payload.js", "archive.zip", "macro.docm"])
def test_dangerous_and_double_extensions_are_refused(name):
    assert "not accepted" in refused(name, tiny_pdf())


def test_an_unlisted_extension_is_refused_naming_what_is_accepted():
    assert "PDF, PNG, JPEG" in refused("scan.tiff", b"II*\x00" + b"\x00" * 100)


@pytest.mark.parametrize(("name", "reason"), [
    ("../../etc/passwd.txt", "folder path"), ("..\\boot.txt", "folder path"),
    ("report..pdf", "'..'"), ("bad\x00name.pdf", "control characters"),
    ("tab\tname.pdf", "control characters"), ("noextension", "no extension"),
])
def test_unsafe_names_are_refused(name, reason):
    assert reason in refused(name, tiny_pdf())


def test_html_and_svg_wearing_a_txt_extension_are_refused():
    assert "web pages" in refused("page.txt", b"  <!DOCTYPE html><html><body>x</body></html>")
    assert "web pages" in refused("image.csv", b'<svg xmlns="http://www.w3.org/2000/svg"/>')


def test_text_with_nul_bytes_or_not_utf8_is_refused():
    assert "NUL" in refused("data.csv", b"a,b\n\x00\x01\n")
    assert "UTF-8" in refused("data.txt", b"caf\xe9 cr\xe8me\n")


def test_a_png_named_pdf_is_refused_as_a_mismatch():
    message = refused("scan.pdf", tiny_png())
    assert "PNG image" in message and "not a PDF" in message


def test_a_truncated_pdf_is_refused():
    assert "incomplete" in refused("report.pdf", tiny_pdf()[:-20])


def test_a_zip_that_is_not_an_office_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "ZIP archive" in refused("policy.docx", buffer.getvalue())


def test_a_zip_bomb_is_refused():
    bomb = docx({"word/media/padding.xml": b"\x00" * (40 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    assert "compression bomb" in refused("policy.docx", bomb)


def test_a_document_with_macros_is_refused():
    assert "macros" in refused("policy.docx", docx({"word/vbaProject.bin": b"\x00" * 10}))


def test_too_large_is_its_own_error(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(EvidenceTooLarge) as caught:
        check("notes.txt", b"a" * 101)
    assert caught.value.status_code == 413


def test_the_stored_name_is_sanitised():
    # A right-to-left override would make "gnp.pdf" display as "fdp.png".
    assert check("Rapport\u202egnp.pdf", tiny_pdf()).name == "Rapportgnp.pdf"
    assert check(".hidden report.pdf", tiny_pdf()).name == "hidden report.pdf"
    assert check("Q3 report: final?.pdf", tiny_pdf()).name == "Q3 report_ final_.pdf"
    assert len(check("x" * 400 + ".pdf", tiny_pdf()).name) <= 180


# --- Serving ----------------------------------------------------------------------------------
@pytest.fixture
def stored(issued):
    response = invite_client(issued.token).post(
        "/api/v1/respond/evidence/", {"question": "policy", "file": upload("policy.pdf", tiny_pdf())},
        format="multipart")
    assert response.status_code == 201
    return response.json()


@pytest.mark.django_db
def test_the_vendor_session_downloads_its_file_as_an_attachment(client, issued, stored):
    open_portal(client, issued.token)
    response = client.get(f"/portal/evidence/{stored['id']}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="policy.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == tiny_pdf()


@pytest.mark.django_db
def test_buyer_members_download_through_the_page_and_the_api(client, colleague, api, issued, stored):
    client.force_login(colleague.user)
    assert client.get(f"/portal/evidence/{stored['id']}/").status_code == 200
    response = api.get(f"/api/v1/assessments/{issued.assessment.pk}/evidence/{stored['id']}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_nobody_else_can_download_it(client, outsider, outsider_api, issued, other_issued, stored):
    url = f"/portal/evidence/{stored['id']}/"
    assert client.get(url).status_code == 404  # anonymous
    open_portal(client, other_issued.token)
    assert client.get(url).status_code == 404  # another vendor's session
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404  # another buyer
    assert outsider_api.get(f"/api/v1/assessments/{issued.assessment.pk}/evidence/"
                            f"{stored['id']}/").status_code == 404


@pytest.mark.django_db
def test_a_question_without_evidence_takes_no_files(issued):
    response = invite_client(issued.token).post(
        "/api/v1/respond/evidence/", {"question": "company", "file": upload("x.pdf", tiny_pdf())},
        format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "question"


@pytest.mark.django_db
def test_files_are_stored_under_a_random_name_not_the_uploaded_one(issued, private_storage):
    response = invite_client(issued.token).post(
        "/api/v1/respond/evidence/", {"question": "soc2_report",
                                      "file": upload("x.pdf", tiny_pdf())}, format="multipart")
    assert response.status_code == 201
    stored_files = list(private_storage.rglob("*.pdf"))
    assert len(stored_files) == 1 and stored_files[0].name != "x.pdf"


@pytest.mark.django_db
def test_an_upload_that_fails_after_storing_leaves_no_file_behind(issued, private_storage,
                                                                  monkeypatch):
    from questionnaires.assessments.services import evidence as service

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(service, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        service.evidence_upload(assessment=issued.assessment, question_key="policy",
                                upload=upload("p.pdf", tiny_pdf()), by="vera@labelworks.test")
    assert not [p for p in private_storage.rglob("*") if p.is_file()]
    assert not issued.assessment.evidence.exists()


@pytest.mark.django_db
def test_compliance_may_download_but_the_portal_upload_needs_a_session(client, compliance, issued,
                                                                        stored):
    client.force_login(compliance.user)
    assert client.get(f"/portal/evidence/{stored['id']}/").status_code == 200
    assert client.post("/portal/evidence/", {"question": "policy"}).status_code == 403
    assert api_client_for(compliance).post("/api/v1/respond/evidence/").status_code == 401
