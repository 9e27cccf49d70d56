"""The append-only, hash-chained audit trail."""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - guard, not behaviour
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only: they cannot "
                        "be updated")

    def delete(self):
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only: they cannot "
                        "be deleted")


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name_plural} are append-only: they cannot be "
                            "changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{self._meta.verbose_name_plural} are append-only: they cannot be "
                        "deleted")


class AuditEvent(AppendOnly):
    """One thing that mattered. Each event's hash covers its content and the previous event's
    hash in the same chain, so any edit, deletion or reordering shows up in
    `manage.py verify_audit`. Writes go through services.audit.audit_record only.

    An organisation has a main chain (`stream` empty) and one chain per assessment's answers
    (`stream` "answers:<id>"): autosaves of fifty vendors then extend fifty chains at once
    instead of queueing on one lock. Each side chain is anchored in the main chain when it
    opens and again at each submission, so a side chain cannot vanish or be cut unnoticed.

    The hash covers `actor_ref` and `actor_label`, copies of who acted taken when the event
    was written and never changed, not `actor`: that link is cleared when the user is
    deleted, and the event must still verify. Since migration 0004 hashes are HMACs under
    settings.AUDIT_HMAC_KEY (audit.signing); AuditCheckpoint pins each chain's head."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey("questionnaires.Organization", null=True,
                                     on_delete=models.PROTECT, related_name="audit_events")
    stream = models.CharField(max_length=80, blank=True, default="")
    seq = models.PositiveBigIntegerField()
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # The actor's id as written: kept (and hashed) when the user is deleted and `actor` is
    # set to NULL.
    actor_ref = models.PositiveBigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "stream", "seq"]
        constraints = [models.UniqueConstraint(fields=["organization", "stream", "seq"],
                                               name="audit_unique_stream_seq")]
        indexes = [models.Index(fields=["organization", "action"]),
                   models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.seq}"


class AuditCheckpoint(AppendOnly):
    """A signed record of one chain's head (its length `seq` and last `hash`) at a moment.

    The chain alone cannot show that its last events, or all of it, were deleted: what is
    left still links up. `verify_audit` holds each chain to its latest checkpoint, here and
    in the append-only file outside the database (audit.checkpoint_file), both signed with
    the key that is not in the database, so they cannot be forged or moved forward.

    A LEGACY checkpoint, written by migration 0004 for every chain that existed then, marks
    up to which seq the chain's events were hashed with plain SHA-256: events after it must
    carry keyed hashes."""

    class Kind(models.TextChoices):
        CHECKPOINT = "checkpoint"
        LEGACY = "legacy"

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey("questionnaires.Organization", null=True,
                                     on_delete=models.PROTECT, related_name="+")
    stream = models.CharField(max_length=80, blank=True, default="")
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CHECKPOINT)
    created_at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "stream", "seq"]
        indexes = [models.Index(fields=["organization", "stream", "seq"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.stream or 'main'} #{self.seq}"
