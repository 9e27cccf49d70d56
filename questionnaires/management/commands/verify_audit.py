"""`manage.py verify_audit [--organization NAME]`: walk the hash-chained audit trail.

Prints every problem (an edited event, a deleted one, a reordered one) and exits with
status 1 when there is any; 0 and one line saying so when every chain is intact."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from questionnaires.audit.models import AuditEvent
from questionnaires.audit.services import audit_verify
from questionnaires.core.models import Organization


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 listing every broken event."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="only this organisation's chain (by name)")

    def handle(self, *args, organization=None, **options):
        scope = None
        if organization:
            scope = Organization.objects.filter(name=organization).first()
            if scope is None:
                raise CommandError(f"--organization: no organisation named {organization!r}")
        problems = audit_verify(organization=scope)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"the audit trail is broken: {len(problems)} problem"
                               f"{'' if len(problems) == 1 else 's'} (listed above)")
        events = AuditEvent.objects.filter(organization=scope) if scope else AuditEvent.objects
        self.stdout.write(f"audit trail intact: {events.count()} events verified")
