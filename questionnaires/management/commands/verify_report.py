"""manage.py verify_report PATH: is this PDF one Diligence issued, unchanged?

Exits 0 and names the report when the file's SHA-256 is that of a report Diligence
rendered (any organisation: the command runs on the server, for whoever operates it);
exits 1 with the reason otherwise, so scripts can rely on the status.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaires.reports.services import report_verify


class Command(BaseCommand):
    help = "Check that a PDF is a report Diligence issued, byte for byte."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the PDF file to check")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        with file.open("rb") as stream:
            result = report_verify(stream=stream, organization=None)
        if not result.valid:
            raise CommandError(f"{path}: NOT VERIFIED: {result.reason}")
        self.stdout.write(f"{path}: verified: {result.reason} (SHA-256 {result.sha256})")
