"""Checks every uploaded file passes before any parser sees it: size, encoding, content.

The size cap is far above any real questionnaire (VSAQ's largest, webapp.json, is 116 kB;
a 300-question sheet is well under 1 MB) and low enough that parsing a file at the cap
stays a fraction of a second of one web worker.
"""

from __future__ import annotations

import codecs

from questionnaires.authoring.importers.errors import fail

MAX_BYTES = 5 * 1024 * 1024


def check_size(data: bytes | str, *, filename: str = "") -> None:
    """Refuse files over MAX_BYTES."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > MAX_BYTES:
        raise fail(
            f"the file is {size / 1024 / 1024:.1f} MB; the largest accepted is {MAX_BYTES // 1024 // 1024} MB",
            where=_file(filename),
        )


def decode_text(data: bytes | str, *, filename: str = "") -> str:
    """The file's text: UTF-8 (a byte-order mark is dropped), not empty, not over the cap."""
    check_size(data, filename=filename)
    if isinstance(data, bytes):
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise fail(
                f"the file is not UTF-8 text (byte {error.start + 1}: {error.reason}); "
                "save it as UTF-8 and upload it again",
                where={**_file(filename), "line": line},
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise fail("the file is empty", where=_file(filename))
    return text


def _file(filename: str) -> dict:
    return {"file": filename} if filename else {}
