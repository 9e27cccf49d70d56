"""`manage.py verify_audit [--organization NAME] [--checkpoint]`: walk the audit trail.

Prints every problem (an edited event, a deleted one, a reordered one, a chain cut short or
deleted since its last signed checkpoint) and exits with status 1 when there is any; 0 and
one line saying so when every chain is intact. With --checkpoint, an intact trail then gets
a signed checkpoint of each chain that grew (as the beat task writes every few minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from questionnaires.audit.models import AuditEvent
from questionnaires.audit.services import audit_checkpoint, audit_verify
from questionnaires.core.models import Organization


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 listing every broken event."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="only this organisation's chain (by name)")
        parser.add_argument("--checkpoint", action="store_true",
                            help="once verified, sign and record each grown chain's head")

    def handle(self, *args, organization=None, checkpoint=False, **options):
        scope = None
        if organization:
            scope = Organization.objects.filter(name=organization).first()
            if scope is None:
                raise CommandError(f"--organization: no organisation named {organization!r}")
        problems = audit_verify(organization=scope)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            # A broken trail gets no checkpoint: it would record the damage as the truth.
            raise CommandError(f"the audit trail is broken: {len(problems)} problem"
                               f"{'' if len(problems) == 1 else 's'} (listed above)")
        events = AuditEvent.objects.filter(organization=scope) if scope else AuditEvent.objects
        self.stdout.write(f"audit trail intact: {events.count()} events verified")
        if checkpoint:
            written = audit_checkpoint(organization=scope)
            self.stdout.write(f"checkpointed {len(written)} chain"
                              f"{'' if len(written) == 1 else 's'}")
