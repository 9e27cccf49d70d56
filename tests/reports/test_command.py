"""`manage.py verify_report PATH`: exit 0 for an issued PDF, non-zero with a reason otherwise."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(rendered, tmp_path):
    path = tmp_path / "issued.pdf"
    with rendered.file.open("rb") as stream:
        path.write_bytes(stream.read())
    return path


def test_the_command_accepts_the_issued_pdf(issued, rendered):
    out = io.StringIO()
    call_command("verify_report", str(issued), stdout=out)
    assert "verified" in out.getvalue() and str(rendered.pk) in out.getvalue()


def test_the_command_rejects_a_copy_with_one_byte_changed(issued, tmp_path):
    data = bytearray(issued.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="NOT VERIFIED: no report issued by Diligence"):
        call_command("verify_report", str(changed))


def test_the_command_exits_non_zero_in_a_shell_too(issued, tmp_path):
    """What a script sees: the exit status, not an exception."""
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "verify_report", str(tmp_path / "missing.pdf")])
    assert exit_info.value.code == 1
