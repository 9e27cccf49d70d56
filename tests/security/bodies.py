"""Reading a response body the way a person would receive it, to search it for strings.

A canary written into a PDF is compressed in a content stream; in an XLSX it sits in a zipped
XML part; in a chart embedded as a `data:` URL it is base64. Searching the raw bytes finds
none of those, so a scan that only decoded text would pass vacuously on exactly the outputs
most likely to be built by a separate code path. `read_body` decodes by content type:

* text types (HTML, JSON, CSV, YAML, SVG, XML, plain text): decoded text;
* `application/pdf`: pypdf's text of every page, and the document information;
* XLSX: every cell of every sheet (openpyxl), and every XML part of the zip as text (shared
  strings, inline strings, sheet names, document properties);
* anything else: the bytes.

In every case the raw bytes and the response headers (a download's file name) are searched
too, as are `data:` URLs found in any text, decoded. Matching ignores case and whitespace:
a PDF line break inside a long name, or a slugified name in a file name, still matches.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_TYPES = {"application/json", "application/xml", "application/javascript",
              "application/yaml", "application/x-yaml", "application/problem+json",
              "image/svg+xml", "application/vnd.oai.openapi"}
DATA_URL = re.compile(r"data:([\w.+/-]+)?(?:;[\w=.-]+)*;base64,([A-Za-z0-9+/=]+)")
WHITESPACE = re.compile(r"\s+")


@dataclass
class Body:
    kind: str             # "text", "pdf", "xlsx", "bytes", or "unreadable-pdf"/"unreadable-xlsx"
    content_type: str
    raw: bytes
    texts: list[str] = field(default_factory=list)  # decoded parts: pages, cells, XML, data URLs
    pages: int = 0        # PDF pages read
    cells: list[str] = field(default_factory=list)  # XLSX cell values, as text

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def find(self, needles: list[str]) -> list[str]:
        """The needles that occur anywhere in the body (case and whitespace ignored)."""
        haystacks = [t.casefold() for t in self.texts]
        haystacks += [WHITESPACE.sub("", t) for t in haystacks]
        raw = self.raw.lower()
        found = []
        for needle in needles:
            folded = needle.casefold()
            if any(folded in h for h in haystacks) or folded.encode() in raw:
                found.append(needle)
        return found


def content_of(response) -> bytes:
    """The body as bytes, streaming responses joined, a compressed transfer undone.

    Not closed here: the test client closes a streamed response once it is read through,
    and closing it again would send `request_finished`, whose handler drops the database
    connection in the middle of the test's transaction."""
    if getattr(response, "streaming", False):
        raw = b"".join(bytes(chunk) if not isinstance(chunk, str) else chunk.encode()
                       for chunk in response.streaming_content)
    else:
        raw = response.content
    encoding = response.get("Content-Encoding", "").lower()
    if encoding == "gzip":
        raw = gzip.decompress(raw)
    elif encoding == "deflate":
        raw = zlib.decompress(raw)
    return raw


def read_body(response) -> Body:
    raw = content_of(response)
    content_type = response.get("Content-Type", "")
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    body = decode(raw, content_type)
    body.texts.append(headers)
    return body


def decode(raw: bytes, content_type: str) -> Body:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media == "application/pdf":
        body = _pdf(raw, content_type)
    elif media == XLSX:
        body = _xlsx(raw, content_type)
    elif media.startswith("text/") or media in TEXT_TYPES or media.endswith(("+json", "+xml")):
        charset = re.search(r"charset=([\w-]+)", params)
        text = raw.decode(charset.group(1) if charset else "utf-8", errors="replace")
        body = Body("text", content_type, raw, [text])
    else:
        body = Body("bytes", content_type, raw)
    body.texts.extend(_data_urls(body.texts))
    return body


def _pdf(raw: bytes, content_type: str) -> Body:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        texts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        texts.append("\n".join(str(value) for value in info.values()))
    except (PyPdfError, ValueError, KeyError, OSError):
        # Not a PDF pypdf can open (a vendor's evidence file may be anything): bytes only.
        return Body("unreadable-pdf", content_type, raw)
    return Body("pdf", content_type, raw, texts, pages=len(reader.pages))


def _xlsx(raw: bytes, content_type: str) -> Body:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        cells = [str(value) for sheet in workbook.worksheets
                 for row in sheet.iter_rows(values_only=True) for value in row
                 if value is not None]
        names = list(workbook.sheetnames)
        workbook.close()
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = [archive.read(info).decode("utf-8", errors="replace")
                     for info in archive.infolist() if info.filename.endswith((".xml", ".rels"))]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return Body("unreadable-xlsx", content_type, raw)
    return Body("xlsx", content_type, raw, ["\n".join(cells), "\n".join(names), *parts],
                cells=cells)


def _data_urls(texts: list[str]) -> list[str]:
    """Every base64 `data:` URL in the texts, decoded (an SVG chart in an <img>)."""
    decoded = []
    for text in texts:
        for match in DATA_URL.finditer(text):
            try:
                payload = base64.b64decode(match.group(2), validate=False)
            except (binascii.Error, ValueError):
                continue
            decoded.append(payload.decode("utf-8", errors="replace"))
    return decoded


SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL | re.IGNORECASE)


def svg_fragments(text: str) -> list[str]:
    """The inline `<svg>` pictures of an HTML page, and those in its `data:` URLs."""
    return SVG.findall(text) + [svg for part in _data_urls([text]) for svg in SVG.findall(part)]
