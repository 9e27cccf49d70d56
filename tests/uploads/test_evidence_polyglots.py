"""Polyglots: an image or PDF that is also a ZIP, a web page or a script runner is refused,
and the checks do not refuse what real tools write (WeasyPrint, pypdf, Pillow)."""

from __future__ import annotations

import io
import random

import pytest

from questionnaires.assessments.services.evidence import EvidenceRefused
from questionnaires.uploads import checks as file_checks
from questionnaires.uploads.checks import CHUNK, OVERLAP
from tests.support.files import (
    PAGE_OBJECTS,
    check,
    jpeg_comment,
    pdf,
    pdf_with_stream,
    png_chunk,
    refused,
    tiny_jpeg,
    tiny_png,
)
from tests.uploads import corpus


# --- What real tools write is accepted --------------------------------------------------------
def test_a_multi_page_weasyprint_report_packed_in_object_streams_is_accepted():
    from pypdf import PdfReader

    data = corpus.weasyprint_pdf()
    assert b"/ObjStm" in data and b"/URI" not in data  # every dictionary is compressed
    assert len(PdfReader(io.BytesIO(data)).pages) >= 3
    assert check("report.pdf", data).content_type == "application/pdf"


def test_a_pypdf_file_with_links_an_outline_and_an_open_destination_is_accepted():
    data = corpus.pypdf_pdf()
    assert b"/OpenAction" in data and b"/URI" in data and b"/Outlines" in data
    assert check("register.pdf", data).extension == "pdf"


def test_a_pdf_with_only_an_owner_password_is_opened_checked_and_accepted():
    data = corpus.password_pdf(user_password="")
    assert b"/Encrypt" in data
    assert check("restricted.pdf", data).extension == "pdf"


def test_a_pillow_png_with_text_metadata_is_accepted():
    data = corpus.pillow_png()
    assert b"tEXt" in data and b"iTXt" in data and len(data) > 100_000
    assert check("diagram.png", data).content_type == "image/png"


def test_a_pillow_jpeg_with_exif_and_an_xmp_packet_is_accepted():
    data = corpus.pillow_jpeg()
    assert b"Exif\x00\x00" in data and b"<x:xmpmeta" in data  # XML metadata is not a web page
    assert check("server-room.jpg", data).content_type == "image/jpeg"


def test_script_names_and_zip_signatures_inside_binary_stream_data_are_not_refused():
    # Compressed streams spell these by chance; only dictionaries outside streams count.
    chance = (random.Random(1).randbytes(3000) + b"/JS " + b"/Launch>" + b"/JavaScript("
              + b"PK\x03\x04\x14\x00\x00\x00\xff\xff" + b"PK\x05\x06" + b"\x01" * 18)
    assert check("scan.pdf", pdf_with_stream(chance)).extension == "pdf"


def test_names_that_only_begin_like_js_are_not_js():
    data = pdf_with_stream(b"", catalog_extra=b" /JSON (x) /JSX 1")
    assert check("data.pdf", data).extension == "pdf"


def test_zip_signatures_an_archive_reader_could_not_use_are_not_refused():
    # A local header with no known compression method, an end record with no directory.
    noise = b"PK\x03\x04\x14\x00\x00\x00\x41\x41" + b"\x00" * 20 + b"PK\x05\x06" + b"\x01" * 18
    assert check("photo.jpg", tiny_jpeg(jpeg_comment(noise))).extension == "jpg"


def test_text_that_does_not_end_like_a_tag_is_not_markup():
    data = tiny_jpeg(jpeg_comment(b"<svgfile> <bodyguard <htmlx"))
    assert check("photo.jpg", data).extension == "jpg"


# --- Polyglots are refused, naming what was found ---------------------------------------------
@pytest.mark.parametrize(("name", "build"), [
    ("diagram.png", corpus.png_with_jar),
    ("photo.jpg", corpus.jpeg_with_jar),
    ("report.pdf", corpus.pdf_with_jar_in_a_stream),
    ("report.pdf", corpus.pdf_with_zip_after_eof),
])
def test_an_image_or_pdf_that_is_also_a_zip_archive_is_refused(name, build):
    data = build()
    assert corpus.is_zip(data)  # a ZIP reader really opens it
    assert "also holds a ZIP archive (a ZIP file header at byte" in refused(name, data)


def test_a_zip_found_only_by_its_end_record_and_central_directory_is_refused():
    data = tiny_png() + corpus.without_local_headers(corpus.jar())
    assert corpus.is_zip(data)
    assert "ZIP end-of-archive record" in refused("diagram.png", data)


def test_more_zip_end_records_than_chance_explains_are_refused():
    data = tiny_jpeg(jpeg_comment(b"PK\x05\x06" * (file_checks.ZIP_MAX_END_MARKERS + 1)))
    assert "ZIP end-of-archive record" in refused("photo.jpg", data)


@pytest.mark.parametrize(("name", "build", "tag"), [
    ("diagram.png", corpus.png_with_script_in_a_text_chunk, "'<script'"),
    ("diagram.png", corpus.png_with_html_after_iend, "'<!DOCTYPE'"),
    ("photo.jpg", corpus.jpeg_with_html_in_a_comment, "'<!DOCTYPE'"),
    ("photo.jpg", corpus.jpeg_with_svg_in_a_comment, "'<svg'"),
    ("photo.jpg", corpus.jpeg_with_php_in_a_comment, "'<?php'"),
    ("report.pdf", corpus.pdf_with_html_in_its_header, "'<!DOCTYPE'"),
    ("report.pdf", corpus.pdf_with_html_after_eof, "'<!DOCTYPE'"),
])
def test_markup_a_browser_sniffs_inside_an_image_or_at_either_end_of_a_pdf_is_refused(name, build,
                                                                                      tag):
    message = refused(name, build())
    assert "also holds web page markup" in message and tag in message


def test_markup_in_the_middle_of_a_pdf_is_part_of_the_document():
    body = b"<< /Title (A page about <html> and <script> tags) >>"
    data = pdf([*PAGE_OBJECTS, body], header=b"%PDF-1.4\n" + b"%" * 1100 + b"\n")
    assert check("guide.pdf", data).extension == "pdf"


# --- PNG structure ----------------------------------------------------------------------------
def test_data_after_the_png_end_chunk_is_refused_with_its_size():
    assert "has 40 bytes after its end (the IEND chunk)" in refused(
        "diagram.png", corpus.png_with_data_after_iend())


def test_a_png_chunk_with_a_wrong_crc_is_refused():
    data = bytearray(tiny_png())
    data[-20] ^= 0xFF  # inside the IDAT data
    assert "checksum (CRC) of its IDAT chunk" in refused("diagram.png", bytes(data))


def test_a_png_that_stops_before_its_end_chunk_is_refused():
    assert "ends before its IEND chunk" in refused("diagram.png", tiny_png()[:-12])


def test_a_png_chunk_claiming_more_bytes_than_the_file_holds_is_refused():
    data = tiny_png()[:33] + b"\x7f\xff\xff\xffIDAT" + b"\x00" * 40
    assert "claims 2147483647 bytes" in refused("diagram.png", data)


def test_a_png_chunk_without_a_valid_type_is_refused():
    data = tiny_png(png_chunk(b"<sc>", b"x"))
    assert "has no valid type ('<sc>')" in refused("diagram.png", data)


def test_a_png_with_more_chunks_than_any_real_one_is_refused(monkeypatch):
    monkeypatch.setattr(file_checks, "PNG_MAX_CHUNKS", 4)
    assert check("diagram.png", tiny_png(png_chunk(b"teXt"))).extension == "png"  # 4 chunks
    assert "more than 4 chunks" in refused("diagram.png", tiny_png(*[png_chunk(b"teXt")] * 2))


# --- PDFs that run scripts --------------------------------------------------------------------
@pytest.mark.parametrize(("build", "found"), [
    (corpus.pdf_opening_javascript, "JavaScript (/JavaScript at byte"),
    (corpus.pdf_opening_javascript_spelled_with_escapes, "(/Java#53cript, that is /JavaScript"),
    (corpus.pdf_launching_a_program, "a launch action, which can start programs (/Launch at"),
])
def test_script_and_launch_actions_in_plain_pdf_dictionaries_are_refused(build, found):
    assert found in refused("report.pdf", build())


@pytest.mark.parametrize(("build", "found"), [
    (corpus.compressed_pdf_opening_javascript, "when it is opened (/OpenAction)"),
    (corpus.compressed_pdf_with_a_chained_script, "when it is opened (/OpenAction)"),
    (corpus.compressed_pdf_with_document_actions, "on document events such as saving or printing"),
    (corpus.compressed_pdf_with_document_javascript, "(/Names /JavaScript)"),
    (corpus.compressed_pdf_with_a_page_opening_script, "(/JavaScript in compressed object stream"),
])
def test_scripts_packed_in_compressed_object_streams_are_refused(build, found):
    data = build()
    assert b"/ObjStm" in data and b"/JavaScript" not in data  # invisible to a byte scan
    assert found in refused("report.pdf", data)


def test_an_open_action_chain_that_loops_ends_the_walk_and_is_accepted():
    assert check("report.pdf", corpus.compressed_pdf_with_a_looping_chain()).extension == "pdf"


def test_a_pdf_pypdf_cannot_open_is_refused_as_damaged():
    assert "the PDF is damaged and cannot be read" in refused("report.pdf", corpus.damaged_pdf())


def test_a_pdf_that_needs_a_password_to_open_is_refused():
    assert "protected by a password" in refused("report.pdf",
                                                corpus.password_pdf(user_password="s3cret"))


# --- AES-encrypted PDFs (pypdf decrypts AES with the `cryptography` package) -------------------
AES = [pytest.param("AES-128", b"/AESV2", id="aes-128"),
       pytest.param("AES-256", b"/AESV3", id="aes-256")]
PASSWORD = ("the PDF is protected by a password, so it cannot be checked; upload a copy without "
            "a password")


@pytest.mark.parametrize(("algorithm", "marker"), AES)
def test_an_aes_pdf_with_only_an_owner_password_is_opened_checked_and_accepted(algorithm, marker):
    """How SOC 2 reports often come: anyone may open them, only printing or copying is
    restricted."""
    data = corpus.password_pdf(user_password="", algorithm=algorithm)
    assert marker in data  # really AES
    assert check("soc2-report.pdf", data).content_type == "application/pdf"


@pytest.mark.parametrize(("algorithm", "marker"), AES)
def test_an_aes_pdf_that_needs_a_password_to_open_is_refused(algorithm, marker):
    data = corpus.password_pdf(user_password="s3cret", algorithm=algorithm)
    assert marker in data
    assert refused("report.pdf", data) == PASSWORD


@pytest.mark.parametrize(("algorithm", "marker"), AES)
def test_an_aes_pdf_that_runs_javascript_when_opened_is_refused(algorithm, marker):
    data = corpus.password_pdf(user_password="", algorithm=algorithm, opening_script=True)
    assert marker in data and b"app.alert" not in data  # the script's text is encrypted
    assert "the PDF carries JavaScript (/JavaScript at byte" in refused("report.pdf", data)


@pytest.mark.parametrize(("algorithm", "marker"), AES)
def test_the_catalog_of_an_aes_pdf_is_read_through_its_encryption(monkeypatch, algorithm, marker):
    """Names are not encrypted, so the byte scan above finds /JavaScript first. Without it,
    the opened document must show the same script where it runs: what the check relies on
    when the names sit in an encrypted object stream."""
    monkeypatch.setattr(file_checks, "_pdf_script_outside_streams", lambda upload: None)
    data = corpus.password_pdf(user_password="", algorithm=algorithm, opening_script=True)
    assert "the PDF runs scripts or actions when it is opened (/OpenAction)" in refused(
        "report.pdf", data)


def test_a_catalog_inflated_from_a_small_upload_is_parsed_within_a_budget():
    data = corpus.compressed_pdf_with_a_huge_catalog()
    assert len(data) < 50_000 and b"/ObjStm" in data
    assert "structure is too large to check" in refused("report.pdf", data)


def test_object_streams_are_unpacked_within_bounds(monkeypatch):
    """In-process: the bounds are constants of the check the child process runs, and a
    monkeypatch does not reach into the child."""
    data = corpus.weasyprint_pdf()

    def refused_in_process() -> str:
        with pytest.raises(EvidenceRefused) as caught:
            file_checks.check_pdf_document(io.BytesIO(data))
        return caught.value.message

    monkeypatch.setattr(file_checks, "PDF_MAX_UNPACKED", 1000)
    assert "compressed objects unpack to more than" in refused_in_process()
    monkeypatch.setattr(file_checks, "PDF_MAX_OBJECT_STREAMS", 0)
    assert "compressed object streams, more than the 0" in refused_in_process()


# --- Signatures across the boundary between two reads -----------------------------------------
# The file is read CHUNK bytes at a time; a window reports what starts before CHUNK - OVERLAP.
BOUNDARIES = [CHUNK - OVERLAP - 1, CHUNK - OVERLAP, CHUNK - 5, CHUNK - 1, CHUNK, 2 * CHUNK - 3]


def placed(build, marker: bytes, position: int) -> bytes:
    """build(n) with the filler length n chosen so that `marker` starts at `position`."""
    n = 0
    for _ in range(3):
        data = build(n)
        n += position - data.index(marker)
    assert data.index(marker) == position
    return data


@pytest.mark.parametrize("position", BOUNDARIES)
def test_markup_straddling_two_reads_is_found_where_it_is(position):
    data = placed(lambda n: tiny_png(png_chunk(b"tEXt", b"." * n + b"<script>")), b"<script",
                  position)
    assert f"('<script' at byte {position})" in refused("diagram.png", data)


@pytest.mark.parametrize("position", BOUNDARIES)
def test_a_zip_header_straddling_two_reads_is_found_where_it_is(position):
    data = placed(lambda n: tiny_png(png_chunk(b"teXt", b"." * n + corpus.jar())), b"PK\x03\x04",
                  position)
    assert f"(a ZIP file header at byte {position})" in refused("diagram.png", data)


@pytest.mark.parametrize("position", BOUNDARIES)
def test_a_script_name_straddling_two_reads_is_found_where_it_is(position):
    data = placed(lambda n: pdf([*PAGE_OBJECTS, b"<< /Pad (" + b"." * n + b") /JS (x) >>"]),
                  b"/JS", position)
    assert f"(/JS at byte {position})" in refused("report.pdf", data)


@pytest.mark.parametrize("position", BOUNDARIES)
def test_the_end_of_a_stream_straddling_two_reads_is_seen(position):
    # Were "endstream" missed, the action after it would pass as stream data; the /JS in the
    # stream must not be what is found.
    def build(n: int) -> bytes:
        content = b"/JS " + b"\x00" * n
        return pdf([*PAGE_OBJECTS, b"<< /Length %d >>\nstream\n" % len(content) + content
                    + b"\nendstream", b"<< /S /JavaScript >>"])

    data = placed(build, b"endstream", position)
    assert "JavaScript (/JavaScript at byte" in refused("report.pdf", data)


@pytest.mark.parametrize("position", BOUNDARIES)
def test_the_start_of_a_stream_straddling_two_reads_is_seen(position):
    # Were the start missed, the script names in the binary data would be taken for names.
    content = b"/JS /Launch /JavaScript " * 2

    def build(n: int) -> bytes:
        return pdf([*PAGE_OBJECTS, b"<< /Pad (" + b"." * n + b") /Length %d >>\nstream\n"
                    % len(content) + content + b"\nendstream"])

    data = placed(build, b">>\nstream", position)
    assert check("report.pdf", data).extension == "pdf"
