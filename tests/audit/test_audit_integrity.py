"""The audit trail resists what the hash chain alone did not: a deleted user's events still
verify; a chain deleted whole, cut short, or edited and recomputed (with plain SHA-256 or
the wrong key) is reported, thanks to the HMAC key and the signed checkpoints (table and
file); events hashed before the keyed chain keep verifying."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from questionnaires.audit import checkpoint_file, signing
from questionnaires.audit.models import AuditCheckpoint, AuditEvent
from questionnaires.audit.services import GENESIS, _canonical, audit_checkpoint, audit_record
from questionnaires.audit.tasks import audit_checkpoint_task
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

WRONG_KEY = "not-the-key-" * 4


@pytest.fixture
def chain(buyer):
    """Six events in the buyer organisation's main chain, checkpointed."""
    events = [audit_record(organization=buyer.organization, action="assessment.issued",
                           actor=buyer.user, data={"n": n}) for n in range(6)]
    call_command("verify_audit", checkpoint=True)
    return events


def _verify(capsys) -> str:
    with pytest.raises(CommandError, match="the audit trail is broken"):
        call_command("verify_audit")
    return capsys.readouterr().err


def _intact(capsys) -> str:
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "audit trail intact" in out
    return out


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rewrite_from(events: list[AuditEvent], first: int, digest) -> None:
    """Edit events[first] and recompute its hash and every later one with `digest`, as
    someone with write access to the table would to hide the edit."""
    _sql("UPDATE questionnaires_auditevent SET data = %s WHERE id = %s",
         ['{"n": "rewritten"}', events[first].id])
    prev = events[first - 1].hash if first else GENESIS
    for event in events[first:]:
        event = AuditEvent.objects.get(pk=event.pk)
        event.prev_hash = prev
        prev = digest(_canonical(event))
        _sql("UPDATE questionnaires_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
             [event.prev_hash, prev, event.id])


# --- 1. Deleting a user -----------------------------------------------------------------------
def test_a_deleted_users_events_still_verify(buyer, capsys):
    user = UserFactory()
    events = [audit_record(organization=buyer.organization, action="vendor.updated",
                           actor=user, data={"n": n}) for n in range(3)]
    user_id = user.pk
    user.delete()
    stored = AuditEvent.objects.filter(pk__in=[e.pk for e in events])
    assert set(stored.values_list("actor_id", "actor_ref", "actor_label")) == {
        (None, user_id, user.username)}
    _intact(capsys)


def test_editing_the_stored_copy_of_the_actor_is_detected(buyer, capsys):
    event = audit_record(organization=buyer.organization, action="vendor.updated",
                         actor=buyer.user)
    _sql("UPDATE questionnaires_auditevent SET actor_ref = %s WHERE id = %s",
         [buyer.user.pk + 1000, event.id])
    assert f"event {event.id} (seq 1): content does not match its hash: edited" in _verify(capsys)


def test_editing_the_stored_actor_label_is_detected(buyer, capsys):
    event = audit_record(organization=buyer.organization, action="vendor.updated",
                         actor=buyer.user)
    _sql("UPDATE questionnaires_auditevent SET actor_label = %s WHERE id = %s",
         ["someone-else", event.id])
    assert f"event {event.id} (seq 1): content does not match its hash: edited" in _verify(capsys)


# --- Events from before the keyed chain --------------------------------------------------------
def _as_before_migration_0004(events: list[AuditEvent]) -> None:
    """Turn events into what the code before migration 0004 wrote: no actor_ref, and plain
    SHA-256 over the old content, which named `actor_id`."""
    prev = GENESIS
    for event in events:
        payload = json.loads(_canonical(event))
        payload["actor"], payload["prev_hash"] = event.actor_id, prev
        prev = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                         default=str).encode()).hexdigest()
        _sql("UPDATE questionnaires_auditevent SET actor_ref = NULL, prev_hash = %s, "
             "hash = %s WHERE id = %s", [payload["prev_hash"], prev, event.id])


def _migrate_0004_data() -> None:
    import importlib

    migration = importlib.import_module("questionnaires.migrations.0004_audit_keyed_chain")
    migration.copy_actor_ids(apps, None)
    migration.record_legacy_heads(apps, None)


@pytest.fixture
def legacy(buyer):
    events = [audit_record(organization=buyer.organization, action="assessment.issued",
                           actor=buyer.user, data={"n": n}) for n in range(4)]
    _as_before_migration_0004(events)
    _migrate_0004_data()
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def test_events_hashed_before_the_keyed_chain_verify_after_the_migration(
        buyer, legacy, capsys):
    assert {e.actor_ref for e in legacy} == {buyer.user.pk}
    assert AuditCheckpoint.objects.get(kind="legacy").seq == 4
    later = audit_record(organization=buyer.organization, action="assessment.approved",
                         actor=buyer.user)
    assert later.seq == 5 and later.prev_hash == legacy[-1].hash
    _intact(capsys)


def test_legacy_events_rewritten_with_plain_sha256_are_detected(legacy, capsys):
    _rewrite_from(legacy, 1, signing.plain_digest)
    err = _verify(capsys)
    assert "the legacy checkpoint of" in err and "event 4 differs: the chain was rewritten" in err


def test_a_keyed_event_recomputed_with_plain_sha256_after_the_legacy_ones_is_detected(
        buyer, legacy, capsys):
    later = audit_record(organization=buyer.organization, action="assessment.approved",
                         actor=buyer.user)
    _rewrite_from([*legacy, later], 4, signing.plain_digest)
    assert (f"event {later.id} (seq 5): content does not match its hash: recomputed with plain "
            "SHA-256") in _verify(capsys)


def test_deleting_the_legacy_checkpoint_makes_the_legacy_events_fail(legacy, capsys):
    AuditCheckpoint.objects.filter(kind="legacy")._raw_delete(connection.alias)
    assert "recomputed with plain SHA-256" in _verify(capsys)


# --- 2. The chain cannot be rewritten or cut -------------------------------------------------
def test_the_honest_chain_verifies_and_its_head_is_checkpointed_in_table_and_file(
        buyer, chain, capsys):
    _intact(capsys)
    row = AuditCheckpoint.objects.get(organization=buyer.organization, kind="checkpoint")
    assert (row.seq, row.hash) == (6, chain[-1].hash)
    [(_, line)] = list(checkpoint_file.read())
    assert (line["organization"], line["seq"], line["hash"]) == (
        str(buyer.organization.pk), 6, chain[-1].hash)
    assert line["signature"] == row.signature


def test_events_keep_verifying_and_only_grown_chains_get_a_new_checkpoint(
        buyer, chain, capsys):
    assert audit_checkpoint() == []  # nothing grew
    audit_record(organization=buyer.organization, action="assessment.approved")
    assert [c.seq for c in audit_checkpoint()] == [7]
    _intact(capsys)


def test_the_beat_task_writes_checkpoints(buyer):
    audit_record(organization=buyer.organization, action="assessment.issued")
    assert audit_checkpoint_task.apply().get() == 1
    assert AuditCheckpoint.objects.filter(organization=buyer.organization).count() == 1


def test_deleting_an_organisations_whole_chain_is_detected(buyer, chain, capsys):
    _sql("DELETE FROM questionnaires_auditevent WHERE organization_id = %s",
         [buyer.organization.pk])
    err = _verify(capsys)
    assert "the file and table checkpoint of" in err
    assert "recorded 6 events ending in" in err and "event 6 is missing: the chain was cut" in err


def test_deleting_the_whole_chain_and_its_checkpoints_in_the_table_is_detected_by_the_file(
        buyer, chain, capsys):
    _sql("DELETE FROM questionnaires_auditevent WHERE organization_id = %s",
         [buyer.organization.pk])
    AuditCheckpoint.objects.all()._raw_delete(connection.alias)
    assert "the file checkpoint of" in _verify(capsys)


def test_deleting_the_last_events_is_detected(chain, capsys):
    for event in chain[-2:]:
        _sql("DELETE FROM questionnaires_auditevent WHERE id = %s", [event.id])
    assert "event 6 is missing: the chain was cut short or deleted" in _verify(capsys)


def test_editing_and_recomputing_with_plain_sha256_is_detected(chain, capsys):
    _rewrite_from(chain, 2, signing.plain_digest)
    err = _verify(capsys)
    assert f"event {chain[2].id} (seq 3): content does not match its hash: recomputed" in err
    assert "event 6 differs: the chain was rewritten" in err


def test_editing_and_recomputing_with_the_wrong_key_is_detected(chain, capsys):
    _rewrite_from(chain, 2, lambda payload: signing.keyed_digest(payload, WRONG_KEY))
    err = _verify(capsys)
    assert f"event {chain[2].id} (seq 3): content does not match its hash: edited" in err
    assert "event 6 differs: the chain was rewritten" in err


def test_a_checkpoint_moved_back_in_the_table_is_detected(chain, capsys):
    _sql("UPDATE questionnaires_auditcheckpoint SET seq = 4, hash = %s", [chain[3].hash])
    assert "its signature does not match: forged or edited" in _verify(capsys)


def test_a_deleted_checkpoint_file_is_detected(chain, capsys):
    checkpoint_file.path().unlink()
    assert "the checkpoint file lacks the table's checkpoint" in _verify(capsys)


def test_an_edited_checkpoint_file_line_is_detected(chain, capsys):
    [(_, line)] = list(checkpoint_file.read())
    checkpoint_file.path().write_text(json.dumps({**line, "seq": 4, "hash": chain[3].hash}) + "\n")
    assert "line 1: its signature does not match: forged or edited" in _verify(capsys)


def test_a_chain_cut_and_grown_again_gets_no_new_checkpoint(buyer, chain, capsys):
    _sql("DELETE FROM questionnaires_auditevent WHERE id = %s", [chain[-1].id])
    regrown = audit_record(organization=buyer.organization, action="assessment.issued")
    assert regrown.seq == 6
    assert audit_checkpoint() == []
    assert "event 6 differs: the chain was rewritten" in _verify(capsys)


def test_verify_audit_checkpoint_writes_nothing_for_a_broken_trail(buyer, chain, capsys):
    audit_record(organization=buyer.organization, action="assessment.approved")
    _sql("UPDATE questionnaires_auditevent SET data = %s WHERE id = %s",
         ['{"n": "rewritten"}', chain[0].id])
    with pytest.raises(CommandError):
        call_command("verify_audit", checkpoint=True)
    assert AuditCheckpoint.objects.filter(seq=7).count() == 0


# --- The key ------------------------------------------------------------------------------------
def test_the_default_key_is_derived_from_secret_key_with_a_salt_of_its_own(settings):
    from django.utils.crypto import salted_hmac

    derived = salted_hmac("diligence.audit.AUDIT_HMAC_KEY", "the audit chain's HMAC key",
                          secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()
    assert settings.AUDIT_HMAC_KEY == derived != settings.SECRET_KEY


def test_a_short_audit_hmac_key_stops_start_up():
    from tests.core.test_settings import start_django

    result = start_django(AUDIT_HMAC_KEY="short")
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY: must be at least 32 characters, got 5" in result.stderr


def test_one_organisations_verification_ignores_the_other_organisations_checkpoints(
        buyer, outsider, chain, capsys):
    audit_record(organization=outsider.organization, action="assessment.issued")
    audit_checkpoint()
    _sql("DELETE FROM questionnaires_auditevent WHERE organization_id = %s",
         [outsider.organization.pk])
    with checkpoint_file.path().open("a") as lines:
        lines.write("not json\n")
    call_command("verify_audit", organization=buyer.organization.name)
    assert "audit trail intact" in capsys.readouterr().out
    err = _verify(capsys)
    assert "checkpoint file line 3: not a checkpoint" in err
    assert f"organisation {outsider.organization.pk}: seq 1: the file and table checkpoint" in err
