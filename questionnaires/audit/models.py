"""The append-only, hash-chained audit trail."""

from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - guard, not behaviour
        raise TypeError("audit events are append-only: they cannot be updated")

    def delete(self):
        raise TypeError("audit events are append-only: they cannot be deleted")


class AuditEvent(models.Model):
    """One thing that mattered. Each event's hash covers its content and the previous event's
    hash in the same chain, so any edit, deletion or reordering shows up in
    `manage.py verify_audit`. Writes go through services.audit.audit_record only.

    An organisation has a main chain (`stream` empty) and one chain per assessment's answers
    (`stream` "answers:<id>"): autosaves of fifty vendors then extend fifty chains at once
    instead of queueing on one lock. Each side chain is anchored in the main chain when it
    opens and again at each submission, so a side chain cannot vanish or be cut unnoticed."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey("questionnaires.Organization", null=True,
                                     on_delete=models.PROTECT, related_name="audit_events")
    stream = models.CharField(max_length=80, blank=True, default="")
    seq = models.PositiveBigIntegerField()
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "stream", "seq"]
        constraints = [models.UniqueConstraint(fields=["organization", "stream", "seq"],
                                               name="audit_unique_stream_seq")]
        indexes = [models.Index(fields=["organization", "action"]),
                   models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("audit events are append-only: they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only: they cannot be deleted")
