"""The buyer's vendor registry, its competitors, and the ownership graph around vendors."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from questionnaires.core.base import Criticality, UUIDModel
from questionnaires.core.models import Organization
from questionnaires.ownership.neutrality.records import held_on

SERVICES = ["annotation", "rlhf", "evaluation", "data_sourcing", "red_teaming", "transcription"]
DATA_CATEGORIES = ["training_data", "model_outputs", "personal_data", "roadmaps",
                   "evaluation_sets", "label_schemas"]


class NeutralityStatus(models.TextChoices):
    """A vendor's neutrality towards its buyer, with the words pages, e-mails and reports
    use (sentences take them in lower case: "from neutral to at risk")."""

    NEUTRAL = "neutral", "Neutral"
    AT_RISK = "at_risk", "At risk"
    CONFLICTED = "conflicted", "Conflicted"


# How a finding's weight reads; the two that move the status read as the status does.
SEVERITY_LABELS = {"info": "Noted", "at_risk": NeutralityStatus.AT_RISK.label,
                   "conflicted": NeutralityStatus.CONFLICTED.label, "discrepancy": "Discrepancy"}


class Vendor(UUIDModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="vendors")
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    services = models.JSONField(default=list, blank=True)
    data_categories = models.JSONField(default=list, blank=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices,
                                   default=Criticality.MEDIUM)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    # Months between assessments; null = the organisation's cadence for the criticality.
    reassessment_months = models.PositiveSmallIntegerField(null=True, blank=True)
    neutrality_status = models.CharField(max_length=12, default=NeutralityStatus.NEUTRAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="vendor_unique_name_per_org")]
        indexes = [models.Index(fields=["organization", "criticality"])]

    def __str__(self) -> str:
        return self.name


class Competitor(UUIDModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="competitors")
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="competitor_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class Entity(UUIDModel):
    """A node of a buyer's ownership graph: a company, a fund or a person.

    A vendor has exactly one entity standing for it; holders are created by name as stakes
    are recorded. Each buyer keeps its own graph: what one buyer learned stays its own.
    """

    class Kind(models.TextChoices):
        COMPANY = "company"
        FUND = "fund"
        PERSON = "person"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="entities")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    aliases = models.JSONField(default=list, blank=True)
    vendor = models.OneToOneField(Vendor, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="entity")
    # A declared parent (API: a stake's `holder_parent`): the entity belongs to its parent's
    # side even when no equity between them is recorded.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"],
                                               name="entity_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


percent_validators = [MinValueValidator(0), MaxValueValidator(100)]


class Stake(UUIDModel):
    """`holder` owns `percent` of `subject` from `acquired_on` until `disposed_on`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="stakes")
    holder = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="holdings")
    subject = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="owners")
    percent = models.DecimalField(max_digits=7, decimal_places=4,
                                  validators=percent_validators)
    voting_percent = models.DecimalField(max_digits=7, decimal_places=4, null=True,
                                         blank=True, validators=percent_validators)
    board_seats = models.PositiveSmallIntegerField(default=0)
    observer_seats = models.PositiveSmallIntegerField(default=0)
    information_rights = models.BooleanField(default=False)
    acquired_on = models.DateField(null=True, blank=True)
    disposed_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("auth.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["acquired_on", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100),
                                   name="stake_percent_range"),
            models.CheckConstraint(
                condition=models.Q(disposed_on__isnull=True) | models.Q(acquired_on__isnull=True)
                | models.Q(disposed_on__gte=models.F("acquired_on")),
                name="stake_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} holds {self.percent}% of {self.subject}"

    def is_held_on(self, day: datetime.date) -> bool:
        """Held on `day`: from its acquisition day (or undated), until its disposal day."""
        return held_on(self.acquired_on, self.disposed_on, day)


class NeutralityEvent(UUIDModel):
    """A recorded change of a vendor's neutrality status (a change-of-control event)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="neutrality_events")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE,
                               related_name="neutrality_events")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    stake = models.ForeignKey(Stake, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    findings = models.JSONField(default=list)
    recheck = models.ForeignKey("questionnaires.Assessment", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
