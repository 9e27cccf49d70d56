"""Questionnaire templates: versioned, a draft editable, a published version immutable."""

from django.db import models

from questionnaires.core.base import UUIDModel
from questionnaires.core.models import Organization


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    FILE = "file"
    INFO = "info"


class YesNo(models.TextChoices):
    """The answers of a `yes_no` question, with the words every page, export and PDF shows
    when the author gave no label of their own."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NA = "na", "Not applicable"


class Template(UUIDModel):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        ARCHIVED = "archived"

    # Null organisation: the built-in library every buyer can issue.
    organization = models.ForeignKey(Organization, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="templates")
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_format = models.CharField(max_length=12, default="native")
    tiers = models.JSONField(default=dict)
    flag_penalties = models.JSONField(default=dict)
    # SHA-256 of the canonical native export: equal digests, identical questionnaires.
    digest = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children")
    created_by = models.ForeignKey("auth.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key", "version"],
                                    name="template_unique_version"),
            models.UniqueConstraint(fields=["key", "version"],
                                    condition=models.Q(organization__isnull=True),
                                    name="library_template_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Section(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    weight = models.FloatField(default=1.0)
    show_if = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "key"],
                                               name="section_unique_key")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=100)
    text = models.TextField()
    help = models.TextField(blank=True)
    kind = models.CharField(max_length=14, choices=QuestionKind.choices)
    required = models.BooleanField(default=False)
    weight = models.FloatField(default=1.0)
    allow_na = models.BooleanField(default=False)
    options = models.JSONField(default=list, blank=True)
    multi = models.CharField(max_length=4, default="mean")
    bands = models.JSONField(default=list, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    evidence = models.CharField(max_length=8, default="none")
    evidence_penalty = models.FloatField(default=0.5)
    show_if = models.TextField(blank=True, default="")
    flags = models.JSONField(default=list, blank=True)
    refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "key"],
                                               name="question_unique_key")]

    def __str__(self) -> str:
        return self.key
