"""manage.py load_library: (re)load the built-in questionnaires; safe to run at every deploy."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaires.authoring.importers import ImportFailed, describe
from questionnaires.authoring.services.library import LIBRARY_DIR, library_load


class Command(BaseCommand):
    help = ("Load questionnaires/library/*.yaml as the shared library. A file whose content "
            "is already loaded adds nothing; a changed one becomes the next version.")

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=LIBRARY_DIR,
                            help="where the *.yaml files are (default: the built-in library)")

    def handle(self, *args, directory: Path, **options):
        if not directory.is_dir():
            raise CommandError(f"--directory: {directory} is not a directory")
        try:
            entries = library_load(directory=directory)
        except ImportFailed as failure:
            for problem in failure.errors:
                self.stderr.write(describe(problem))
            raise CommandError("the library was not loaded") from None
        for entry in entries:
            template = entry.template
            what = "loaded" if entry.created else "unchanged"
            self.stdout.write(f"{entry.path.name}: {template.key} v{template.version} {what} "
                              f"({template.questions.count()} questions)")
