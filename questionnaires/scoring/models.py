"""Score runs, the scoring outbox (jobs) and custom scenarios."""

from django.db import models

from questionnaires.assessments.models import Assessment
from questionnaires.core.base import Tier, UUIDModel
from questionnaires.core.models import Organization


class ScoreRun(UUIDModel):
    """One scoring of one set of answers by one engine version. Never two for the same."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="score_runs")
    digest = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=20)
    overall = models.FloatField()
    tier = models.CharField(max_length=10, choices=Tier.choices)
    neutrality_status = models.CharField(max_length=12, default="neutral")
    result = models.JSONField()
    scenarios = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["assessment", "digest", "engine_version"], name="score_run_exactly_once")]


class ScoringJob(UUIDModel):
    """The outbox: a scoring that must happen, recorded in the same transaction as the
    submission, so a dead broker delays a score but never loses it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DISPATCHED = "dispatched"
        DONE = "done"
        FAILED = "failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="scoring_jobs")
    digest = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]


class Scenario(UUIDModel):
    """A buyer's own stress-test scenario, in the same data shape as the library's."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="scenarios")
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    definition = models.JSONField()

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"],
                                               name="scenario_unique_key")]
