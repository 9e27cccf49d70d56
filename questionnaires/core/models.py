"""Tenants and the people who act for them."""

from django.conf import settings
from django.db import models

from questionnaires.core.base import UUIDModel

# Reassessment cadence in months by vendor criticality (issue: workspace). A buyer overrides
# it in Organization.settings["cadence_months"].
DEFAULT_CADENCE_MONTHS = {"critical": 6, "high": 12, "medium": 24, "low": 36}


class Organization(UUIDModel):
    class Kind(models.TextChoices):
        BUYER = "buyer"
        VENDOR = "vendor"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Per-buyer knobs: neutrality thresholds, auto re-check on ownership change, cadence.
    settings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def auto_recheck(self) -> bool:
        return bool(self.settings.get("auto_recheck", True))

    def cadence_months(self, criticality: str) -> int:
        cadence = {**DEFAULT_CADENCE_MONTHS, **self.settings.get("cadence_months", {})}
        return int(cadence[criticality])

    @property
    def neutrality_thresholds(self) -> dict:
        return dict(self.settings.get("neutrality_thresholds", {}))


class Membership(UUIDModel):
    """A user's place in exactly one organisation. Removing it ends the user's access."""

    class Role(models.TextChoices):
        ADMIN = "admin"
        REVIEWER = "reviewer"
        COMPLIANCE = "compliance"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    # Per-member email preferences: {"event_kind": bool}; absent means "send".
    notifications = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["organization", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role} at {self.organization})"

    @property
    def can_write(self) -> bool:
        """Compliance reads everything and changes nothing."""
        return self.role in (self.Role.ADMIN, self.Role.REVIEWER)

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    def wants(self, event_kind: str) -> bool:
        return bool(self.notifications.get(event_kind, True))
