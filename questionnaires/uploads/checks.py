"""What is inside an uploaded file: the content checks of evidence.

The type is decided from the bytes, never from the name or the Content-Type the browser
sent, and must be the one the name's extension promises (assessments/services/evidence.py checks the
name and passes the kind on). A file that is two formats at once (a polyglot: an image or
PDF that is also a ZIP/JAR or a web page, a PNG with something after its end, a PDF that runs
scripts) is refused too. Every check streams the file in bounded windows and bounds what a
hostile file can make it parse; each refusal is an EvidenceRefused saying what was found.
Pure functions of the file: no database, no settings. The one exception is the pypdf part of
the PDF check, check_pdf_document: pypdf's own parsing is not bounded, so it runs in a child
process with a deadline and a memory cap from settings (uploads/pdf_probe.py).
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import signal
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import filetype
from pypdf import PdfReader
from pypdf.errors import DependencyError, LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamParsingBudget, read_object

from questionnaires.core.errors import DomainError
from questionnaires.core.sandbox import EXIT_OUT_OF_MEMORY, run_module

CHUNK = 64 * 1024
HEAD = 8192

# Office files are ZIPs of XML: real ones inflate 5-30x. A far higher ratio, a huge total
# or a huge number of entries is a decompression bomb aimed at whoever opens it later.
ZIP_MAX_RATIO = 100
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_ENTRIES = 5000


class EvidenceRefused(DomainError):
    """The file is not one we accept: 400 with the reason, on the `file` field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class _Kind:
    label: str
    content_type: str


KINDS = {
    "pdf": _Kind("a PDF", "application/pdf"),
    "png": _Kind("a PNG image", "image/png"),
    "jpeg": _Kind("a JPEG image", "image/jpeg"),
    "txt": _Kind("plain text", "text/plain; charset=utf-8"),
    "csv": _Kind("a CSV file", "text/csv; charset=utf-8"),
    "docx": _Kind("a Word document (DOCX)", "application/vnd.openxmlformats-officedocument."
                                             "wordprocessingml.document"),
    "xlsx": _Kind("an Excel workbook (XLSX)", "application/vnd.openxmlformats-officedocument."
                                               "spreadsheetml.sheet"),
}
# Magic numbers of programs that filetype does not name (Mach-O, Java classes, scripts).
PROGRAM_MAGIC = [(b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"),
                 (b"\xcf\xfa\xed\xfe", "a macOS program"), (b"\xce\xfa\xed\xfe", "a macOS program"),
                 (b"\xfe\xed\xfa", "a macOS program"), (b"\xca\xfe\xba\xbe", "a program"),
                 (b"#!", "a script")]
OFFICE_MAIN = {
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}



def _what_it_looks_like(head: bytes) -> str | None:
    for magic, label in PROGRAM_MAGIC:
        if head.startswith(magic):
            return label
    guess = filetype.guess(head)
    if guess is None:
        return None
    known = {"pdf": "a PDF", "png": "a PNG image", "jpg": "a JPEG image", "zip": "a ZIP archive",
             "gif": "a GIF image", "docx": "a Word document", "xlsx": "an Excel workbook"}
    return known.get(guess.extension, f"a {guess.mime} file")


def check_content(upload: IO[bytes], kind: str, extension: str) -> None:
    """Refuse, saying why, unless the content is `kind` (a key of KINDS) and only that;
    `extension` is the name's, for the message."""
    upload.seek(0)
    head = upload.read(HEAD)
    looks_like = _what_it_looks_like(head)
    expected = KINDS[kind].label
    if looks_like and looks_like.endswith(("program", "script")):
        raise EvidenceRefused(f"the content is {looks_like}, not {expected}: programs are not "
                              "accepted")
    if kind == "pdf":
        _require(head.startswith(b"%PDF-"), looks_like, expected, extension)
        _check_pdf(upload, head)
    elif kind == "png":
        _require(head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR",
                 looks_like, expected, extension)
        _check_one_format(upload, kind, markup_anywhere=True)
        _check_png_chunks(upload)
    elif kind == "jpeg":
        _require(head.startswith(b"\xff\xd8\xff"), looks_like, expected, extension)
        _check_one_format(upload, kind, markup_anywhere=True)
    elif kind in OFFICE_MAIN:
        _require(head.startswith(b"PK\x03\x04"), looks_like, expected, extension)
        _check_office(upload, kind)
    else:
        if looks_like is not None:
            raise EvidenceRefused(f"the content is {looks_like}, not {expected}")
        _check_text(upload, expected)


def _require(ok: bool, looks_like: str | None, expected: str, extension: str) -> None:
    if not ok:
        seen = looks_like or "not a type we recognise"
        raise EvidenceRefused(f"the name ends in .{extension} but the content is {seen}, "
                              f"not {expected}")


def file_size(upload: IO[bytes]) -> int:
    upload.seek(0, 2)
    return upload.tell()


def _check_office(upload: IO[bytes], kind: str) -> None:
    main_part, main_type = OFFICE_MAIN[kind]
    label = KINDS[kind].label
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise EvidenceRefused(f"the file holds {len(entries)} parts; at most "
                                      f"{ZIP_MAX_ENTRIES} are accepted")
            total = sum(entry.file_size for entry in entries)
            packed = max(1, sum(entry.compress_size for entry in entries))
            if total > ZIP_MAX_UNCOMPRESSED or total / packed > ZIP_MAX_RATIO:
                raise EvidenceRefused("the file expands to far more than its size (a "
                                      "compression bomb) and is refused")
            names = {entry.filename for entry in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise EvidenceRefused("documents with macros are not accepted; save it "
                                      "without macros")
            if "[Content_Types].xml" not in names or main_part not in names:
                raise EvidenceRefused(f"the content is a ZIP archive, not {label}")
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise EvidenceRefused(f"the content is not a valid {label}")
            content_types = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError):
        raise EvidenceRefused(f"the content is a damaged ZIP archive, not {label}")
    if main_type not in content_types or b"macroEnabled" in content_types:
        raise EvidenceRefused(f"the content is not {label} (or it carries macros)")


def _check_text(upload: IO[bytes], expected: str) -> None:
    """UTF-8 throughout, no NUL, and not a web page or SVG wearing a .txt."""
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    first = True
    while chunk := upload.read(CHUNK):
        if b"\x00" in chunk:
            raise EvidenceRefused(f"the content is binary (it contains NUL bytes), not {expected}")
        # Browsers sniff markup from the first non-blank bytes, and no text or CSV worth
        # keeping starts with "<"; a policy that mentions <script> further down is fine.
        if first and chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise EvidenceRefused("web pages, SVG and XML are not accepted; upload a PDF instead")
        first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            raise EvidenceRefused(f"the content is not UTF-8 text, so it is not {expected}; "
                                  "save it as UTF-8 or upload a PDF")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise EvidenceRefused(f"the content is not UTF-8 text, so it is not {expected}")


# --- One format at a time: polyglots ---------------------------------------------------------
# A polyglot is one file that two programs read as two different things: a PNG that is also
# a JAR, a JPEG that a browser renders as a page, a PDF that Acrobat opens by running a
# script. Files are scanned in windows of CHUNK bytes that overlap by OVERLAP bytes, so a
# signature straddling two reads is whole in one window; nothing is read whole into memory.
OVERLAP = 64
THE = {"pdf": "the PDF", "png": "the PNG image", "jpeg": "the JPEG image"}
TWO_FORMATS = "files that are two formats at once are not accepted"
# ZIP readers find an archive from its end-of-central-directory record, and streaming
# readers from its local file headers. Compressed data holds each 4-byte signature by chance
# (once in 4 GB: one 25 MB upload in 160), so a signature counts only with what a reader needs:
# a compression method readers implement and a name, or a central directory where the end
# record says it is.
ZIP_LOCAL = re.compile(rb"PK\x03\x04.{4}[\x00\x08\x09\x0c\x0e\x5d\x5f\x62\x63]\x00.{16}"
                       rb"(?!\x00\x00)", re.DOTALL)
ZIP_END = b"PK\x05\x06"
# More end-record signatures than chance explains is a file built to be scanned slowly.
ZIP_MAX_END_MARKERS = 16
# Markup a browser sniffs or a server runs. The tag must end like a tag (blank, "/" or ">"):
# "<svg" alone turns up by chance in about one high-entropy image in 20 at 25 MB.
MARKUP = re.compile(rb"<(?:html|script|svg|iframe|body)[\s/>]|<\?php\s|<!doctype\s",
                    re.IGNORECASE)
PDF_MARKUP_HEAD = 1024
PDF_TAIL = 2048
_PDF_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"


def _pdf_name(name: str) -> bytes:
    """A regex for the PDF name token /<name>, each character written plainly or as #xx
    (/J#53 is /JS to every reader), ending where the token ends (so /JSON is not /JS)."""
    spelled = b"".join(b"(?:%s|#(?i:%02x))" % (re.escape(c.encode()), ord(c)) for c in name)
    return b"/" + spelled + b"(?!" + _PDF_REGULAR + b")"


PDF_SCRIPT_NAMES = rb"(?P<name>" + rb"|".join(
    _pdf_name(n) for n in ("JavaScript", "JS", "Launch")) + rb")"
PDF_SCRIPT = re.compile(PDF_SCRIPT_NAMES)
# Outside stream data: a script name, or the start of a stream (its dictionary's ">>", the
# keyword and an end of line). Stream bytes are skipped up to "endstream": compressed data
# spells "/JS " and a delimiter by chance about once in 270 MB (one 25 MB PDF in ten), and
# dictionaries never live there except in object streams, which pypdf unpacks below.
PDF_OUTSIDE = re.compile(rb"(?P<stream>>>[\x00\t\n\x0c\r ]{0,32}stream(?:\r\n|\r|\n))|"
                         + PDF_SCRIPT_NAMES)
# Bounds on unpacking object streams: they hold dictionaries only, about 5 KB a page in a
# WeasyPrint report, so 32 MB is some 6,000 pages; past these a file is built to be slow.
PDF_MAX_OBJECT_STREAMS = 5000
PDF_MAX_UNPACKED = 32 * 1024 * 1024
# Tokens parsed out of object streams to read the catalog and its actions (a few hundred in
# a real file). Unbounded, a 30 KB upload whose stream inflates to 32 MB of "0 0 0 ..." in the
# catalog would cost pypdf some 40 s.
PDF_MAX_PARSED_TOKENS = 100_000
# A 25 MB PNG in libpng's 8 KB IDAT chunks has about 3,200, an animation two per frame; two
# million empty chunks are a file built to cost a second of Python each time it is checked.
PNG_MAX_CHUNKS = 100_000


def _windows(upload: IO[bytes]) -> Iterator[tuple[int, bytes, int]]:
    """(offset, window, limit) over the whole file. A pattern of up to OVERLAP bytes belongs to
    the window in which it starts before `limit`; the next window starts at offset + limit."""
    upload.seek(0)
    offset, window = 0, upload.read(CHUNK)
    while True:
        more = upload.read(CHUNK)
        limit = len(window) - OVERLAP if more else len(window)
        yield offset, window, limit
        if not more:
            return
        offset, window = offset + limit, window[limit:] + more


def _bytes_at(upload: IO[bytes], position: int, count: int) -> bytes:
    """Bytes from elsewhere in the file, leaving the read position where it was."""
    here = upload.tell()
    upload.seek(position)
    data = upload.read(count)
    upload.seek(here)
    return data


def _check_one_format(upload: IO[bytes], kind: str, *, markup_anywhere: bool) -> None:
    """Refuse a ZIP archive anywhere in the file, and with `markup_anywhere`, web page markup."""
    the = THE[kind]
    end_markers = 0
    for offset, window, limit in _windows(upload):
        found = ZIP_LOCAL.search(window)
        if found and found.start() < limit:
            raise EvidenceRefused(f"{the} also holds a ZIP archive (a ZIP file header at byte "
                                  f"{offset + found.start()}): {TWO_FORMATS}")
        start = window.find(ZIP_END)
        while -1 < start < limit:
            end_markers += 1
            if end_markers > ZIP_MAX_END_MARKERS or _is_zip_end(upload, offset + start,
                                                                window[start:start + 22]):
                raise EvidenceRefused(f"{the} also holds a ZIP archive (a ZIP end-of-archive "
                                      f"record at byte {offset + start}): {TWO_FORMATS}")
            start = window.find(ZIP_END, start + 1)
        if markup_anywhere:
            found = MARKUP.search(window)
            if found and found.start() < limit:
                raise _markup_refused(the, found, offset)


def _is_zip_end(upload: IO[bytes], position: int, record: bytes) -> bool:
    """Whether the end-record signature at `position` ends an archive a reader would open:
    its central directory (entries of 46 bytes or more) sits right before it."""
    if len(record) < 22:
        return False
    disk, directory_disk, here, total, directory_size, _, _ = struct.unpack("<HHHHIIH",
                                                                             record[4:])
    if total == 0xFFFF or directory_size == 0xFFFFFFFF:  # ZIP64: the real numbers are elsewhere
        return True
    if total == 0:  # an empty archive: 22 bytes of which 12 must be zero
        return directory_size == 0 and here == 0 and disk == 0 and directory_disk == 0
    return (46 * total <= directory_size <= position
            and _bytes_at(upload, position - directory_size, 4) == b"PK\x01\x02")


def _markup_refused(the: str, found: re.Match, offset: int) -> EvidenceRefused:
    tag = found.group().decode("latin-1").rstrip(" \t\r\n\x0b\x0c/>")
    return EvidenceRefused(f"{the} also holds web page markup ({tag!r} at byte "
                           f"{offset + found.start()}), which a browser could run: {TWO_FORMATS}")


def _check_png_chunks(upload: IO[bytes]) -> None:
    """Walk the chunks (length, type, data, CRC) from the signature to IEND. Nothing may
    follow IEND: that is where a second image, a script or an archive hides."""
    size = file_size(upload)
    upload.seek(8)
    position, chunks = 8, 0
    while True:
        header = upload.read(8)
        if len(header) < 8:
            raise EvidenceRefused("the PNG image is damaged: it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", header)
        name = kind.decode("latin-1")
        chunks += 1
        if chunks > PNG_MAX_CHUNKS:
            raise EvidenceRefused(f"the PNG image has more than {PNG_MAX_CHUNKS:,} chunks; export "
                                  "it again")
        if not (kind.isascii() and kind.isalpha()):
            raise EvidenceRefused(f"the PNG image is damaged: the chunk at byte {position} has "
                                  f"no valid type ({name!r})")
        if length > 2**31 - 1 or position + 12 + length > size:
            raise EvidenceRefused(f"the PNG image is damaged: its {name} chunk at byte "
                                  f"{position} claims {length} bytes, more than the file holds")
        crc, remaining = zlib.crc32(kind), length
        while remaining:
            piece = upload.read(min(CHUNK, remaining))
            crc, remaining = zlib.crc32(piece, crc), remaining - len(piece)
        if upload.read(4) != struct.pack(">I", crc):
            raise EvidenceRefused(f"the PNG image is damaged: the checksum (CRC) of its {name} "
                                  f"chunk at byte {position} does not match")
        position += 12 + length
        if kind == b"IEND":
            break
    if position < size:
        raise EvidenceRefused(f"the PNG image has {size - position} bytes after its end (the "
                              f"IEND chunk): {TWO_FORMATS}")


def _check_pdf(upload: IO[bytes], head: bytes) -> None:
    """Complete; no web page at its start or after its end; no second format inside; no
    scripts or launch actions, in plain or in compressed objects; readable by pypdf."""
    size = file_size(upload)
    tail = _bytes_at(upload, max(0, size - PDF_TAIL), PDF_TAIL)
    end = tail.rfind(b"%%EOF")
    if end == -1:
        raise EvidenceRefused("the PDF is incomplete (no end-of-file marker); upload it again")
    after_end = size - len(tail) + end + 5
    for part, offset in ((head[:PDF_MARKUP_HEAD], 0), (tail[end + 5:], after_end)):
        if found := MARKUP.search(part):
            raise _markup_refused("the PDF", found, offset)
    _check_one_format(upload, "pdf", markup_anywhere=False)
    if found := _pdf_script_outside_streams(upload):
        raise _script_refused(*found)
    if refusal := pdf_document_refusal(upload):
        raise EvidenceRefused(refusal)


def _pdf_script_outside_streams(upload: IO[bytes]) -> tuple[str, str] | None:
    """(the name as written, where) of the first /JavaScript, /JS or /Launch outside stream
    data, or None."""
    inside, resume = False, 0
    for offset, window, limit in _windows(upload):
        position = max(0, resume - offset)
        while position < limit:
            if inside:
                end = window.find(b"endstream", position)
                if end == -1:
                    break
                inside, position = False, end + len(b"endstream")
                continue
            found = PDF_OUTSIDE.search(window, position)
            if found is None or found.start() >= limit:
                break
            if found["stream"]:
                inside, position = True, found.end()
                continue
            return found["name"].decode("latin-1"), f"at byte {offset + found.start()}"
        resume = offset + max(position, limit)
    return None


def _script_refused(name: str, where: str) -> EvidenceRefused:
    plain = re.sub(r"#([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), name)
    what = ("a launch action, which can start programs" if plain == "/Launch"
            else "JavaScript")
    shown = name if name == plain else f"{name}, that is {plain}"
    return EvidenceRefused(f"the PDF carries {what} ({shown} {where}); scripts and actions "
                           "are not accepted: print or export it to a new PDF without them")


def check_pdf_document(upload: IO[bytes]) -> None:
    """Open the PDF as readers do, then look where the byte scan cannot: the catalog's
    automatic actions, and the dictionaries packed into compressed object streams. Run in a
    bounded child process (pdf_probe), never in a web request: pypdf itself has no budget."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EvidenceRefused("the PDF is protected by a password, so it cannot be checked; "
                                  "upload a copy without a password")
        objects = _PackedObjects(reader)
        root = objects.resolve(reader.trailer.raw_get("/Root"))
        if not isinstance(root, DictionaryObject):
            raise ValueError("no document catalog")
        if trigger := _catalog_script(root, objects.resolve):
            raise EvidenceRefused(f"the PDF runs scripts or actions {trigger}; scripts and "
                                  "actions are not accepted: print or export it to a new PDF "
                                  "without them")
        if found := objects.script_name():
            raise _script_refused(*found)
    except (EvidenceRefused, MemoryError):  # out of memory: the child says so, not "damaged"
        raise
    except DependencyError:
        raise EvidenceRefused("the PDF is encrypted in a way that cannot be checked here; "
                              "upload a copy without a password or restrictions")
    except LimitReachedError as exc:
        raise EvidenceRefused(f"the PDF's structure is too large to check ({exc}); export or "
                              "print it to PDF again")
    except Exception as exc:  # a parser fed hostile bytes can fail in any way: refuse, not 500
        reason = str(exc).strip()[:120] or type(exc).__name__
        raise EvidenceRefused(f"the PDF is damaged and cannot be read ({reason}); export or "
                              "print it to PDF again")


class _PackedObjects:
    """The objects of the compressed object streams, each stream unpacked once (bounded) and
    each object parsed only when asked for. pypdf parses a whole object stream to return one
    object of it, and WeasyPrint puts every object of a document in one stream: about 0.1 ms
    an object, so seconds for a long report and minutes for a hostile one."""

    def __init__(self, reader: PdfReader):
        self.reader = reader
        self.data: dict[int, bytes] = {}
        self.offsets: dict[tuple[int, int], int] = {}
        self.budget = StreamParsingBudget(remaining_budget=PDF_MAX_PARSED_TOKENS)
        numbers = sorted({number for number, _ in reader.xref_objStm.values()})
        if len(numbers) > PDF_MAX_OBJECT_STREAMS:
            raise EvidenceRefused(f"the PDF has {len(numbers)} compressed object streams, more "
                                  f"than the {PDF_MAX_OBJECT_STREAMS} that can be checked; "
                                  "export it again")
        unpacked = 0
        for number in numbers:
            stream = reader.get_object(number)
            data = stream.get_data()
            unpacked += len(data)
            if unpacked > PDF_MAX_UNPACKED:
                raise EvidenceRefused("the PDF's compressed objects unpack to more than "
                                      f"{PDF_MAX_UNPACKED // (1024 * 1024)} MB; export it again")
            first = int(stream["/First"])
            header = data[:first].split()
            for object_number, offset in zip(header[::2], header[1::2], strict=False):
                self.offsets[(number, int(object_number))] = first + int(offset)
            self.data[number] = data

    def resolve(self, value):
        """The object a reference points to; a direct object as it is."""
        if not isinstance(value, IndirectObject):
            return value
        packed = self.reader.xref_objStm.get(value.idnum)
        if packed is None:
            return value.get_object()  # a plain object: pypdf reads just that one
        offset = self.offsets.get((packed[0], value.idnum))
        if offset is None:
            return None
        stream = io.BytesIO(self.data[packed[0]])
        stream.seek(offset)
        return read_object(stream, self.reader, parsing_budget=self.budget)

    def script_name(self) -> tuple[str, str] | None:
        for number, data in self.data.items():
            if found := PDF_SCRIPT.search(data):
                return found["name"].decode("latin-1"), f"in compressed object stream {number}"
        return None


def _catalog_script(root: DictionaryObject, resolve) -> str | None:
    """Which automatic trigger of the document catalog runs a script or launches a program."""
    opening = resolve(root.get("/OpenAction"))
    if isinstance(opening, DictionaryObject) and _runs_script(opening, resolve):
        return "when it is opened (/OpenAction)"
    events = resolve(root.get("/AA"))
    if isinstance(events, DictionaryObject) and any(_runs_script(action, resolve)
                                                    for action in events.values()):
        return "on document events such as saving or printing (/AA)"
    names = resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        return "from its document-level JavaScript (/Names /JavaScript)"
    return None


def _runs_script(action, resolve) -> bool:
    """An action, or one chained after it by /Next, that is JavaScript or a launch. The chain
    is followed a bounded number of steps: a /Next loop ends the walk, not the server."""
    todo, steps = [action], 0
    while todo and steps < 64:
        item, steps = resolve(todo.pop()), steps + 1
        if isinstance(item, ArrayObject):
            todo.extend(item)
        elif isinstance(item, DictionaryObject):
            if "/JS" in item or resolve(item.get("/S")) in ("/JavaScript", "/Launch"):
                return True
            if "/Next" in item:
                todo.append(item.get("/Next"))
    return False


# --- The bounded child (uploads/pdf_probe.py) -------------------------------------------------
PDF_PROBE = "questionnaires.uploads.pdf_probe"
log = logging.getLogger(__name__)


def pdf_document_refusal(upload: IO[bytes]) -> str | None:
    """Why check_pdf_document refuses this PDF, run in a bounded child, or None.
    A child that runs out of time or memory, or fails in any other way, is a refusal too."""
    from django.conf import settings

    seconds = settings.EVIDENCE_PDF_CHECK_SECONDS
    megabytes = settings.EVIDENCE_PDF_CHECK_MEMORY_MB
    upload.seek(0)
    data = upload.read()
    try:
        done = run_module(PDF_PROBE, [str(seconds), str(megabytes)], data, seconds=seconds)
    except subprocess.TimeoutExpired:  # run() has killed the child and reaped it
        log.warning("PDF check: killed after %s s (%s bytes)", seconds, len(data))
        return _too_slow(seconds)
    if done.returncode == 0:
        try:
            return json.loads(done.stdout.splitlines()[-1])["refused"]
        except (IndexError, ValueError, KeyError, TypeError):
            pass
    stderr = done.stderr[-2000:].decode("utf-8", "replace")
    log.warning("PDF check: the child ended with %s (%s bytes): %s", done.returncode, len(data),
                stderr)
    if done.returncode == EXIT_OUT_OF_MEMORY:
        return (f"the PDF needs more than {megabytes} MB of memory to check; it may be damaged "
                "or built to be costly to read - save it again (print to PDF) and upload it")
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # over its CPU limit
        return _too_slow(seconds)
    return ("the PDF could not be checked; it may be damaged or built to be hard to read - "
            "save it again (print to PDF) and upload it")


def _too_slow(seconds: int) -> str:
    return (f"the PDF could not be checked within {seconds} seconds; it may be damaged or built "
            "to be slow to read - save it again (print to PDF) and upload it")
