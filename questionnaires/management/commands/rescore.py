"""manage.py rescore --template ID [--all-engine] [--organization NAME]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaires.authoring.models import Template
from questionnaires.core.models import Organization
from questionnaires.scoring.models import ScoringJob
from questionnaires.scoring.services.outbox import RESCORE_BATCH, scoring_rescore


class Command(BaseCommand):
    help = ("Queue scoring for every submitted assessment of a template whose answers have no "
            "score yet, through the scoring outbox. Safe to run again: answers already scored "
            "or already queued get no second job.")

    def add_arguments(self, parser):
        parser.add_argument("--template", required=True, metavar="ID",
                            help="the template version (UUID) whose assessments to re-score")
        parser.add_argument("--all-engine", action="store_true",
                            help="also re-score answers scored only by an older engine version "
                                 "(after an upgrade); without it, only answers with no score")
        parser.add_argument("--organization", metavar="NAME",
                            help="only this buyer organisation's assessments (default: all)")

    def handle(self, *args, template, all_engine, organization, **options):
        found = self._template(template)
        owner = self._organization(organization)
        jobs = scoring_rescore(template=found, organization=owner, all_engine=all_engine)
        whose = f"of {owner.name} " if owner else ""
        self.stdout.write(f"Queued {jobs} scoring job(s) for the assessments {whose}of "
                          f"{found.name!r} ({found.key} v{found.version}), in batches of "
                          f"{RESCORE_BATCH}.")
        waiting = ScoringJob.objects.filter(assessment__template=found,
                                            status=ScoringJob.Status.PENDING).count()
        if waiting:
            self.stdout.write(f"{waiting} job(s) are still pending: the broker did not take "
                              "them; the outbox sweeper dispatches them once it answers.")

    def _template(self, pk: str) -> Template:
        try:
            return Template.objects.get(pk=pk)
        except (Template.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"--template {pk}: no such template") from None

    def _organization(self, name: str | None) -> Organization | None:
        if name is None:
            return None
        found = Organization.objects.filter(name=name, kind="buyer").first()
        if found is None:
            raise CommandError(f"--organization {name}: no such buyer organisation")
        return found
