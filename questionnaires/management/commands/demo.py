"""manage.py demo: load the demo (idempotent) and print how to look at it."""

from django.core.management.base import BaseCommand

from questionnaires.demo import DEMO_PASSWORD, DEMO_USERS, demo_full


class Command(BaseCommand):
    help = ("Load the demo buyer, vendors, ownership, an answered assessment and its report, "
            "and an open assessment with a reminder due.")

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true",
                            help="only print the demo logins (make run's last lines)")

    def handle(self, *args, logins: bool, **options):
        if not logins:
            result = demo_full()
            self.stdout.write(f"Demo organisation: {result.organization.name}")
            for note in result.notes:
                self.stdout.write(note)
        # The logins come last: they are what a person starting the demo looks for.
        people = ", ".join(f"{username} ({role})" for username, role in DEMO_USERS)
        self.stdout.write(f"Demo logins, password {DEMO_PASSWORD}: {people}")
