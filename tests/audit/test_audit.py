"""The audit trail: browse, filter, export with inert cells, and verify_audit catching an
edited, a deleted and a reordered event."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from questionnaires.audit.models import AuditEvent
from questionnaires.audit.services import audit_record
from tests.support.paths import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(buyer, outsider):
    org = buyer.organization
    events = [audit_record(organization=org, action="assessment.issued", actor=buyer.user,
                           data={"vendor": "LabelWorks"}),
              audit_record(organization=org, action="answer.saved", actor_label="vera@x.test",
                           data={"question": "=cmd|' /C calc'!A0"}),
              audit_record(organization=org, action="assessment.approved", actor=buyer.user,
                           data={"note": "fine"})]
    audit_record(organization=outsider.organization, action="assessment.issued",
                 actor=outsider.user, data={"vendor": "Secret Vendor"})
    return events


def test_the_audit_page_lists_the_organisations_events_newest_first(buyer_client, trail):
    response = buyer_client.get("/audit/")
    assert response.status_code == 200
    actions = [e.action for e in response.context["page"].object_list]
    assert actions == ["assessment.approved", "answer.saved", "assessment.issued"]
    assert "Secret Vendor" not in response.content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("action=answer.saved", ["answer.saved"]),
    ("action=assessment.", ["assessment.approved", "assessment.issued"]),
    ("actor=vera", ["answer.saved"]),
    ("since=2000-01-01&until=2999-01-01", ["assessment.approved", "answer.saved",
                                           "assessment.issued"]),
    ("until=2000-01-01", []),
])
def test_filters_by_action_actor_and_dates(buyer_client, trail, query, expected):
    response = buyer_client.get(f"/audit/?{query}")
    assert [e.action for e in response.context["page"].object_list] == expected


def test_filter_by_object(buyer, buyer_client, submitted):
    response = buyer_client.get(f"/audit/?object={submitted.pk}")
    events = list(response.context["page"].object_list)
    assert events and all(e.object_id == str(submitted.pk) for e in events)
    assert f'href="/assessments/{submitted.pk}/"' in response.content.decode()


def test_bad_dates_are_a_400_naming_the_field(buyer_client):
    response = buyer_client.get("/audit/?since=2024-05-01&until=2024-01-01")
    assert response.status_code == 400 and "until" in response.context["form"].errors
    assert buyer_client.get("/audit/export.csv?since=yesterday").status_code == 400


def test_the_csv_export_has_inert_cells(buyer_client, trail):
    response = buyer_client.get("/audit/export.csv?action=answer.saved")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Seq", "Time (UTC)", "Actor", "Action"]
    (row,) = rows[1:]
    assert row[3] == "answer.saved" and "=cmd" in row[6]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_outsiders_see_only_their_own_trail(outsider_client, trail):
    for path in ("/audit/", "/audit/export.csv", "/audit/?action=answer.saved"):
        response = outsider_client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"LabelWorks" not in body and b"vera@x.test" not in body


def test_compliance_browses_and_exports(compliance_client, trail):
    assert compliance_client.get("/audit/").status_code == 200
    assert compliance_client.get("/audit/export.csv").status_code == 200


def test_the_verify_page_says_whether_the_chain_is_intact(buyer_client, trail):
    assert "Intact" in buyer_client.get("/audit/verify/").content.decode()
    _edit(trail[1])
    assert "content does not match its hash" in buyer_client.get("/audit/verify/").content.decode()


def _edit(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE questionnaires_auditevent SET data = %s WHERE id = %s",
                       ['{"question": "rewritten"}', event.id])


def _delete(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM questionnaires_auditevent WHERE id = %s", [event.id])


def _swap(first: AuditEvent, second: AuditEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE questionnaires_auditevent SET seq = 999999 WHERE id = %s",
                       [first.id])
        cursor.execute("UPDATE questionnaires_auditevent SET seq = %s WHERE id = %s",
                       [first.seq, second.id])
        cursor.execute("UPDATE questionnaires_auditevent SET seq = %s WHERE id = %s",
                       [second.seq, first.id])


def _verify(capsys) -> tuple[str, str]:
    with pytest.raises(CommandError, match="the audit trail is broken"):
        call_command("verify_audit")
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_verify_audit_passes_an_intact_trail(trail, capsys):
    call_command("verify_audit")
    assert "audit trail intact" in capsys.readouterr().out


def test_verify_audit_reports_an_event_edited_with_raw_sql(trail, capsys):
    _edit(trail[1])
    _, err = _verify(capsys)
    assert f"event {trail[1].id} (seq {trail[1].seq}): content does not match its hash" in err


def test_verify_audit_reports_a_deleted_event(trail, capsys):
    _delete(trail[1])
    _, err = _verify(capsys)
    assert f"seq {trail[2].seq}" in err and "missing" in err and "deleted" in err


def test_verify_audit_reports_reordered_events(trail, capsys):
    _swap(trail[0], trail[1])
    _, err = _verify(capsys)
    assert "reordered" in err


def test_verify_audit_reports_every_problem_at_once(trail, capsys):
    _edit(trail[0])
    _delete(trail[1])
    _, err = _verify(capsys)
    assert "edited" in err and "deleted" in err


def test_verify_audit_limited_to_one_organisation(trail, buyer, outsider, capsys):
    _edit(trail[0])
    call_command("verify_audit", organization=outsider.organization.name)
    with pytest.raises(CommandError):
        call_command("verify_audit", organization=buyer.organization.name)
    with pytest.raises(CommandError, match="no organisation named"):
        call_command("verify_audit", organization="Nobody")


@pytest.mark.django_db(transaction=True)
def test_verify_audit_exits_non_zero_from_the_command_line(buyer):
    event = audit_record(organization=buyer.organization, action="assessment.issued",
                         actor=buyer.user, data={"vendor": "LabelWorks"})
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    command = [sys.executable, "manage.py", "verify_audit"]
    intact = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert intact.returncode == 0, intact.stderr
    _edit(event)
    broken = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert broken.returncode == 1
    assert f"event {event.id} (seq 1): content does not match its hash: edited" in broken.stderr


def test_the_audit_page_runs_the_same_number_of_queries_for_5_and_200_events(
        buyer, buyer_client, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        audit_record(organization=buyer.organization, action="answer.saved", data={"n": n})
    with CaptureQueriesContext(connection) as captured:
        assert buyer_client.get("/audit/?action=answer.").status_code == 200
    for n in range(195):
        audit_record(organization=buyer.organization, action="answer.saved", data={"n": n})
    with django_assert_num_queries(len(captured)):
        assert buyer_client.get("/audit/?action=answer.").status_code == 200


# --- Answer saves in side chains -----------------------------------------------------------
@pytest.fixture
def answered(buyer, submitted):
    """The submitted assessment's answers: their saves form the side chain answers:<id>."""
    from questionnaires.audit.services import answers_stream

    return submitted, answers_stream(submitted)


def test_answer_saves_extend_their_assessments_chain_not_the_main_one(answered):
    assessment, stream = answered
    saves = AuditEvent.objects.filter(action="answer.saved", object_id=str(assessment.pk))
    assert saves.exists()
    assert set(saves.values_list("stream", flat=True)) == {stream}
    assert sorted(saves.values_list("seq", flat=True)) == list(range(1, saves.count() + 1))
    opened = AuditEvent.objects.get(action="audit.chain_opened", data__stream=stream)
    assert opened.stream == "" and opened.data["first"] == saves.get(seq=1).hash
    submitted = AuditEvent.objects.get(action="assessment.submitted",
                                       object_id=str(assessment.pk))
    last = saves.order_by("-seq").first()
    assert submitted.data["answers_chain"] == {"stream": stream, "seq": last.seq,
                                               "hash": last.hash}


def test_verify_audit_passes_side_chains_intact(answered, capsys):
    call_command("verify_audit")
    assert "audit trail intact" in capsys.readouterr().out


def test_verify_audit_reports_a_deleted_side_chain(answered, capsys):
    _, stream = answered
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM questionnaires_auditevent WHERE stream = %s", [stream])
    _, err = _verify(capsys)
    assert f"names event 1 of chain {stream}, which is missing" in err


def test_verify_audit_reports_a_side_chain_cut_short_after_submission(answered, capsys):
    _, stream = answered
    last = AuditEvent.objects.filter(stream=stream).order_by("-seq").first()
    _delete(last)
    _, err = _verify(capsys)
    assert f"names event {last.seq} of chain {stream}" in err and "cut" in err


def test_verify_audit_reports_an_edited_answer_save_in_its_chain(answered, capsys):
    _, stream = answered
    event = AuditEvent.objects.filter(stream=stream).order_by("seq").first()
    _edit(event)
    _, err = _verify(capsys)
    assert f"chain {stream}: event {event.id} (seq 1): content does not match its hash" in err


def test_verify_audit_reports_a_side_chain_nobody_opened(buyer, capsys):
    from questionnaires.audit.services import CHAIN_OPENED

    audit_record(organization=buyer.organization, action="answer.saved", data={"n": 1},
                 stream="answers:forged")
    opening = AuditEvent.objects.get(action=CHAIN_OPENED)
    with connection.cursor() as cursor:  # drop the opening and re-chain nothing: both show
        cursor.execute("DELETE FROM questionnaires_auditevent WHERE id = %s", [opening.id])
    _, err = _verify(capsys)
    assert "chain answers:forged: seq 1: this chain's opening is not in the main chain" in err
