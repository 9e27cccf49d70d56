"""manage.py demo: load the demo (idempotent) and print how to look at it."""

from django.core.management.base import BaseCommand

from questionnaires.demo import demo_full


class Command(BaseCommand):
    help = "Load the demo buyer, vendors, ownership, an answered assessment and its report."

    def handle(self, *args, **options):
        result = demo_full()
        self.stdout.write(f"Demo organisation: {result.organization.name}")
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username} / {password} / {role}")
        for note in result.notes:
            self.stdout.write(note)
