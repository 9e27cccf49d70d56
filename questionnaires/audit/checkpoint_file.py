"""The audit checkpoints' copy outside the database: one append-only JSON-lines file.

settings.AUDIT_CHECKPOINT_DIR (by default PRIVATE_ROOT/audit-checkpoints) holds
`checkpoints.jsonl`; each line is one signed checkpoint (signing.checkpoint_fields plus
"signature"). Lines are only ever appended, under an exclusive lock and fsynced, so two
writers (the beat task and `verify_audit --checkpoint`) never interleave a line. Plain file
I/O, no ORM."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

FILE_NAME = "checkpoints.jsonl"


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def append(lines: list[dict]) -> None:
    """Append signed checkpoints, durably, in one write."""
    if not lines:
        return
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def read() -> Iterator[tuple[int, dict | None]]:
    """(line number, checkpoint) for each line; None for a line that is not a JSON object
    (the caller reports it). Nothing when the file does not exist."""
    target = path()
    if not target.exists():
        return
    with target.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            yield number, value if isinstance(value, dict) else None
