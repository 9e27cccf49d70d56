"""The audit chain keeps verifying when a user is deleted, and becomes keyed.

- `actor_ref`: a copy of the actor's id that the hash covers instead of the `actor` link,
  which deleting the user sets to NULL. Existing rows get their actor_id copied, so what
  their hashes cover is unchanged.
- `AuditCheckpoint`: signed heads of the chains. Every chain that exists now gets a LEGACY
  checkpoint at its head: its events up to there keep their plain SHA-256 hashes, every
  later event is an HMAC under settings.AUDIT_HMAC_KEY (questionnaires.audit.signing)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

from questionnaires.audit import signing


def copy_actor_ids(apps, schema_editor):
    # The base manager: the model's own refuses updates (the trail is append-only).
    events = apps.get_model("questionnaires", "AuditEvent")._base_manager
    events.filter(actor__isnull=False).update(actor_ref=models.F("actor_id"))


def record_legacy_heads(apps, schema_editor):
    """One signed LEGACY checkpoint per existing chain, at its head (one pass, in order)."""
    AuditEvent = apps.get_model("questionnaires", "AuditEvent")
    AuditCheckpoint = apps.get_model("questionnaires", "AuditCheckpoint")
    now = timezone.now()
    rows = (AuditEvent._base_manager.order_by("organization_id", "stream", "seq")
            .values_list("organization_id", "stream", "seq", "hash"))
    heads: dict = {}
    for org_id, stream, seq, digest in rows.iterator(chunk_size=5000):
        heads[(org_id, stream)] = (seq, digest)
    checkpoints = []
    for (org_id, stream), (seq, digest) in heads.items():
        fields = signing.checkpoint_fields(organization_id=org_id, stream=stream, seq=seq,
                                           hash=digest, kind="legacy",
                                           created_at=now.isoformat())
        checkpoints.append(AuditCheckpoint(
            organization_id=org_id, stream=stream, seq=seq, hash=digest, kind="legacy",
            created_at=now, signature=signing.checkpoint_signature(fields)))
    AuditCheckpoint._base_manager.bulk_create(checkpoints, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('questionnaires', '0003_audit_streams'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='actor_ref',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('stream', models.CharField(blank=True, default='', max_length=80)),
                ('seq', models.PositiveBigIntegerField()),
                ('hash', models.CharField(max_length=64)),
                ('kind', models.CharField(choices=[('checkpoint', 'Checkpoint'), ('legacy', 'Legacy')], default='checkpoint', max_length=12)),
                ('created_at', models.DateTimeField()),
                ('signature', models.CharField(max_length=64)),
                ('organization', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='questionnaires.organization')),
            ],
            options={
                'ordering': ['organization', 'stream', 'seq'],
                'indexes': [models.Index(fields=['organization', 'stream', 'seq'], name='questionnai_organiz_ff74fd_idx')],
            },
        ),
        migrations.RunPython(copy_actor_ids, migrations.RunPython.noop),
        migrations.RunPython(record_legacy_heads, migrations.RunPython.noop),
    ]
