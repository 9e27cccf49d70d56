"""One vendor answering one pinned template version for one buyer."""

from django.db import models

from questionnaires.authoring.models import Question, Template
from questionnaires.core.base import UUIDModel
from questionnaires.core.models import Organization
from questionnaires.ownership.models import Vendor


class Assessment(UUIDModel):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SENT = "sent"
        IN_PROGRESS = "in_progress"
        SUBMITTED = "submitted"
        IN_REVIEW = "in_review"
        CHANGES_REQUESTED = "changes_requested"
        APPROVED = "approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions"
        REJECTED = "rejected"
        CANCELLED = "cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="assessments")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="assessments")
    # PROTECT: an issued assessment pins the exact version it was issued with, forever.
    template = models.ForeignKey(Template, on_delete=models.PROTECT,
                                 related_name="assessments")
    status = models.CharField(max_length=26, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField()
    created_by = models.ForeignKey("auth.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the canonical visible answers at submission: what scores and reports cite.
    answers_digest = models.CharField(max_length=64, blank=True)
    progress = models.FloatField(default=0.0)
    # Clarification rounds: 0 for the first submission, +1 for each request for changes.
    round = models.PositiveIntegerField(default=0)
    # Question keys reopened for the vendor during a clarification round; empty = all open.
    reopened_keys = models.JSONField(default=list, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status"]),
                   models.Index(fields=["vendor", "-created_at"]),
                   models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.template.name} for {self.vendor.name}"

    @property
    def is_open_for_vendor(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.IN_PROGRESS,
                               self.Status.CHANGES_REQUESTED)


class Invitation(UUIDModel):
    """A link that lets whoever holds it answer one assessment. Only a SHA-256 is stored."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="colleagues")
    created_by = models.ForeignKey("auth.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Reminders already sent, by kind ("7d", "3d", "1d", "overdue"), so a rerun sends none twice.
    reminders_sent = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"


class Answer(UUIDModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # Optimistic locking: a save names the version it started from; a stale one gets 409.
    version = models.PositiveIntegerField(default=1)
    answered_by = models.CharField(max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question"],
                                               name="answer_unique_per_question")]


class AnswerRevision(models.Model):
    """Every earlier value of an answer, so a clarification round never erases history."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    value = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_by = models.CharField(max_length=254, blank=True)
    round = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answer", "version"]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.version}"


class Evidence(UUIDModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="evidence")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.CharField(max_length=254, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]


class Comment(UUIDModel):
    """A note on one answer: internal to the buyer, or visible to the vendor."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_label = models.CharField(max_length=254)
    body = models.TextField()
    internal = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]


class Review(UUIDModel):
    class Decision(models.TextChoices):
        APPROVE = "approve"
        APPROVE_WITH_CONDITIONS = "approve_with_conditions"
        REJECT = "reject"
        REQUEST_CHANGES = "request_changes"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="reviews")
    reviewer = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    decision = models.CharField(max_length=24, choices=Decision.choices)
    note = models.TextField()
    questions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RemediationItem(UUIDModel):
    """A condition of an approval: the vendor answers it by its due date."""

    class Status(models.TextChoices):
        OPEN = "open"
        ANSWERED = "answered"
        CLOSED = "closed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="remediation_items")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField()
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    vendor_response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
