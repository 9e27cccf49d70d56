"""Done means: ONE API call that adds a 49% stake held by a declared competitor to a neutral
vendor leads to the event, the audit entry, the re-check issued to the vendor's contact, and
the email to the buyer's admins, sent by a REAL worker after the transaction commits."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from questionnaires.assessments.models import Assessment
from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import NeutralityEvent, Stake
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_one_api_call_with_a_competitors_49_percent_stake_runs_the_whole_change_of_control(
        celery_worker_process, api, buyer, vendor):
    from questionnaires.ownership.models import Competitor

    Competitor.objects.create(organization=vendor.organization, name="Orbital Dynamics")
    assert vendor.neutrality_status == "neutral"

    response = api.post(f"/api/v1/vendors/{vendor.pk}/stakes/",
                        {"holder": "Orbital Dynamics", "holder_parent": None, "percent": 49,
                         "voting_percent": 49, "board_seats": 1, "acquired_on": "2025-06-13"},
                        format="json")

    assert response.status_code == 201, response.json()
    event = NeutralityEvent.objects.get(vendor=vendor)
    assert (event.from_status, event.to_status) == ("neutral", "conflicted")
    assert AuditEvent.objects.filter(action="neutrality.changed",
                                     object_id=str(vendor.pk)).count() == 1
    recheck = Assessment.objects.get(pk=event.recheck_id)
    assert recheck.template.key == "rapid-neutrality-recheck"
    assert recheck.invitations.get().email == vendor.contact_email
    assert recheck.due_date == timezone.localdate() + datetime.timedelta(days=14)

    mail = wait_for(lambda: (lambda text: text if buyer.user.email in text
                             and "LabelWorks is now conflicted" in text else "")(
        celery_worker_process.sent_mail()), what="the admin's neutrality email")
    assert "Orbital Dynamics holds 49.0% of LabelWorks directly" in mail
    wait_for(lambda: vendor.contact_email in celery_worker_process.sent_mail(),
             what="the re-check invitation to the vendor's contact")


def test_a_rolled_back_stake_write_sends_no_email(buyer, vendor):
    """With real transactions: a write that rolls back queues nothing; the same write
    committed queues the admin's email and the re-check invitation."""
    from questionnaires.ownership.models import Competitor
    from questionnaires.ownership.services.stakes import StakeInput, vendor_stake_record

    Competitor.objects.create(organization=vendor.organization, name="Orbital Dynamics")
    stake = StakeInput(holder="Orbital Dynamics", percent=49)
    with mock.patch("questionnaires.tasks.send_email.delay") as delay:
        with pytest.raises(RuntimeError), transaction.atomic():
            vendor_stake_record(vendor=vendor, data=stake, by=buyer.user)
            assert NeutralityEvent.objects.exists()  # decided, then the request fails
            raise RuntimeError("the request failed after the stake was written")
        assert delay.call_count == 0
        assert not Stake.objects.exists() and not NeutralityEvent.objects.exists()
        assert not Assessment.objects.exists()

        vendor_stake_record(vendor=vendor, data=stake, by=buyer.user)
        templates = sorted(call.args[1] for call in delay.call_args_list)
    assert templates == ["emails/invitation", "emails/neutrality_changed"]
