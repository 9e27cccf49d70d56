"""A rendered stress-test report: pending until a worker renders it, then a private PDF
with its digest (for verification), or failed with the reason."""

from django.db import models

from questionnaires.assessments.models import Assessment
from questionnaires.core.base import UUIDModel
from questionnaires.core.models import Organization
from questionnaires.scoring.models import ScoreRun


class Report(UUIDModel):
    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="reports")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="reports")
    score_run = models.ForeignKey(ScoreRun, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="reports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey("auth.User", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
