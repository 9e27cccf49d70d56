"""The Django admin shows versioned and audited rows but cannot change them: an edit there
would bypass answer revisions, the scoring outbox and the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from questionnaires.assessments.models import Answer, AnswerRevision
from questionnaires.audit.models import AuditCheckpoint, AuditEvent
from questionnaires.audit.services import audit_checkpoint
from questionnaires.reports.models import Report
from questionnaires.scoring.models import ScoreRun, ScoringJob

pytestmark = pytest.mark.django_db

READ_ONLY = [Answer, AnswerRevision, ScoreRun, ScoringJob, Report, AuditEvent, AuditCheckpoint]


@pytest.fixture
def superuser_client():
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 20)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows(buyer, submitted):
    """One row of each read-only model, from a scored assessment."""
    answer = Answer.objects.filter(assessment=submitted).first()
    AnswerRevision.objects.get_or_create(answer=answer, version=answer.version,
                                         defaults={"value": answer.value})
    Report.objects.create(organization=buyer.organization, assessment=submitted,
                          score_run=ScoreRun.objects.get(assessment=submitted))
    audit_checkpoint()
    return {model: model.objects.order_by("pk").first() for model in READ_ONLY}


def _url(model, view: str, *args) -> str:
    return f"/admin/questionnaires/{model._meta.model_name}/" + {
        "changelist": "", "add": "add/", "change": "{}/change/", "delete": "{}/delete/",
    }[view].format(*args)


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_staff_can_view_but_not_add_change_or_delete(superuser_client, rows, model):
    row = rows[model]
    assert row is not None
    listed = superuser_client.get(_url(model, "changelist"))
    assert listed.status_code == 200
    assert 'name="action"' not in listed.content.decode()  # no "delete selected" action
    shown = superuser_client.get(_url(model, "change", row.pk))
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert superuser_client.get(_url(model, "add")).status_code == 403
    assert superuser_client.post(_url(model, "add"), {}).status_code == 403
    assert superuser_client.post(_url(model, "change", row.pk), {}).status_code == 403
    assert superuser_client.get(_url(model, "delete", row.pk)).status_code == 403
    assert superuser_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_a_bulk_delete_through_the_changelist_action_deletes_nothing(superuser_client, rows):
    before = ScoringJob.objects.count()
    response = superuser_client.post(_url(ScoringJob, "changelist"), {
        "action": "delete_selected", "_selected_action": [rows[ScoringJob].pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert ScoringJob.objects.count() == before
