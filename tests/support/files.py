"""Tiny real files to upload (PDF, PNG, JPEG, DOCX, XLSX) and the upload checks called
directly on bytes."""

from __future__ import annotations

import io


def pdf(objects: list[bytes], *, header: bytes = b"%PDF-1.4\n", after_eof: bytes = b"") -> bytes:
    """A real PDF of these objects (numbered from 1, object 1 the catalog), with a correct
    cross-reference table; `after_eof` is appended after the final %%EOF."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out) + after_eof


PAGE_OBJECTS = [b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]


def tiny_pdf() -> bytes:
    """A real, minimal one-page PDF."""
    return pdf(PAGE_OBJECTS)


def pdf_with_stream(data: bytes, *, catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF whose page content is a stream holding `data` as it is."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
                PAGE_OBJECTS[1],
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
                b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"])


def png_chunk(kind: bytes, data: bytes = b"") -> bytes:
    import struct
    import zlib

    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def tiny_png(*extra_chunks: bytes) -> bytes:
    """A real 1x1 PNG; `extra_chunks` (built with png_chunk) go before its image data."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + b"".join(extra_chunks)
            + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND"))


def tiny_jpeg(*segments: bytes) -> bytes:
    """The shortest JPEG the checks accept (JFIF header, end of image); `segments` go between."""
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"".join(segments)
            + b"\xff\xd9")


def jpeg_comment(text: bytes) -> bytes:
    """A JPEG COM segment."""
    return b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text


DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = DOCX_CONTENT_TYPES) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", b"<w:document>policy</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "sub-processor"
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Calling the upload checks directly -------------------------------------------------------
def check(name: str, content: bytes):
    """evidence_check on bytes, as the views call it on an upload."""
    from questionnaires.assessments.services.evidence import evidence_check

    return evidence_check(upload=io.BytesIO(content), name=name, size=len(content))


def refused(name: str, content: bytes) -> str:
    """The reason evidence_check refuses the file with, on the `file` field."""
    import pytest

    from questionnaires.assessments.services.evidence import EvidenceRefused

    with pytest.raises(EvidenceRefused) as caught:
        check(name, content)
    assert caught.value.field == "file"
    return caught.value.message
