"""A change of a vendor's neutrality status is recorded, audited, announced and followed up
with the rapid re-check, in the transaction of the write that caused it."""

import datetime

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Assessment
from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import NeutralityEvent, Vendor
from tests.support.factories import MembershipFactory, VendorFactory
from tests.support.ownership import add_stake, declare

pytestmark = pytest.mark.django_db

RECHECK = "rapid-neutrality-recheck"


def emails_queued(callbacks) -> list[tuple[list[str], str, dict]]:
    """(recipients, template, context) of each email a captured commit would have sent."""
    from unittest import mock

    sent = []
    with mock.patch("questionnaires.tasks.send_email.delay",
                    side_effect=lambda *args: sent.append(args)):
        for callback in callbacks:
            callback()
    return sent


def test_a_competitor_stake_makes_an_event_an_audit_entry_a_recheck_and_an_email(
        api, buyer, vendor, orbital, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        body = add_stake(api, vendor, holder="Orbital Dynamics", percent=49, board_seats=1,
                         acquired_on="2025-06-13", source="Press release")

    [summary] = body["neutrality_events"]
    assert (summary["from_status"], summary["to_status"]) == ("neutral", "conflicted")
    event = NeutralityEvent.objects.get(pk=summary["id"])
    assert str(event.stake_id) == body["id"]
    assert any("49.0%" in entry.get("reason", "") for entry in event.findings)
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "conflicted"

    audit = AuditEvent.objects.get(action="neutrality.changed")
    assert audit.object_id == str(vendor.pk) and audit.actor == buyer.user
    assert audit.data["from"] == "neutral" and audit.data["to"] == "conflicted"

    recheck = event.recheck
    assert recheck.template.key == RECHECK and recheck.template.organization is None
    assert recheck.due_date == timezone.localdate() + datetime.timedelta(days=14)
    assert [i.email for i in recheck.invitations.all()] == [vendor.contact_email]

    sent = emails_queued(callbacks)
    templates = {template: recipients for recipients, template, _ in sent}
    assert templates["emails/neutrality_changed"] == [buyer.user.email]
    assert templates["emails/invitation"] == [vendor.contact_email]


def test_a_stake_that_does_not_change_the_status_records_no_event(api, vendor, orbital):
    body = add_stake(api, vendor, holder="Northwind Capital", percent=30)
    assert body["neutrality_events"] == []
    assert not NeutralityEvent.objects.exists() and not Assessment.objects.exists()


def test_without_a_contact_the_recheck_is_skipped_with_a_note(api, buyer_org, orbital):
    vendor = VendorFactory(organization=buyer_org, name="Annotada", contact_email="")
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    event = NeutralityEvent.objects.get(vendor=vendor)
    assert event.recheck is None
    assert any("has no contact email" in entry["reason"] for entry in event.findings
               if entry.get("kind") == "note")
    assert not Assessment.objects.exists()


def test_with_auto_recheck_off_no_questionnaire_is_issued(api, no_recheck, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    event = NeutralityEvent.objects.get(vendor=vendor)
    assert event.recheck is None and not Assessment.objects.exists()
    assert "turned off" in event.findings[-1]["reason"]


def test_a_second_change_while_the_recheck_is_open_sends_no_second_one(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=10)  # neutral -> at_risk
    add_stake(api, vendor, holder="Orbital AI", percent=20)  # at_risk -> conflicted
    first, second = NeutralityEvent.objects.order_by("created_at")
    assert (first.to_status, second.to_status) == ("at_risk", "conflicted")
    assert first.recheck_id == second.recheck_id is not None
    assert Assessment.objects.count() == 1


def test_declaring_a_competitor_changes_the_status_of_vendors_it_already_holds(api, vendor):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    assert not NeutralityEvent.objects.exists()

    declare(api, "Orbital Dynamics")
    event = NeutralityEvent.objects.get()
    assert (event.from_status, event.to_status, event.stake) == ("neutral", "conflicted", None)
    assert "declared a competitor" in event.findings[0]["reason"]


def test_removing_a_competitor_makes_the_vendor_neutral_again(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    assert api.delete(f"/api/v1/competitors/{orbital['id']}/").status_code == 204
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "neutral"
    latest = NeutralityEvent.objects.order_by("-created_at").first()
    assert (latest.from_status, latest.to_status) == ("conflicted", "neutral")


def test_an_alias_added_to_a_competitor_catches_a_holder_it_missed(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Labs Holdings", percent=30)
    response = api.patch(f"/api/v1/competitors/{orbital['id']}/",
                         {"aliases": ["Orbital AI", "Orbital Labs Holdings"]}, format="json")
    assert response.status_code == 200
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "conflicted"


def test_a_stake_high_in_a_chain_reaches_every_vendor_below_it(api, buyer_org, vendor, orbital):
    other = VendorFactory(organization=buyer_org, name="TruthSet")
    fund = add_stake(api, vendor, holder="Shared Holdco", percent=40)
    add_stake(api, other, holder="Shared Holdco", percent=60)

    body = add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics",
                     percent=80)
    # Orbital controls Shared Holdco (80% of its votes), so its whole stake counts.
    assert sorted((e["vendor_name"], e["to_status"]) for e in body["neutrality_events"]) == [
        ("LabelWorks", "conflicted"), ("TruthSet", "conflicted")]


def test_higher_thresholds_make_a_small_holding_neutral_with_an_event(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=8)
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "at_risk"
    response = api.put("/api/v1/settings/neutrality/",
                       {"thresholds": {"at_risk_percent": 10}}, format="json")
    assert response.status_code == 200, response.json()
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "neutral"
    event = NeutralityEvent.objects.order_by("-created_at").first()
    assert "thresholds changed" in event.findings[0]["reason"]
    # The buyer moved a threshold; the vendor's owners did not change: nothing to re-check.
    assert event.recheck is None and "No re-check" in event.findings[-1]["reason"]
    assert Assessment.objects.count() == 1  # the one the 8% stake itself caused


def test_renaming_a_vendor_to_a_competitors_name_makes_it_the_competitor(api, vendor, orbital):
    response = api.patch(f"/api/v1/vendors/{vendor.pk}/", {"aliases": ["Orbital AI"]},
                         format="json")
    assert response.status_code == 200
    assert response.json()["neutrality_status"] == "conflicted"


def test_only_admins_who_want_it_are_emailed(api, buyer, buyer_org, colleague, vendor, orbital,
                                             django_capture_on_commit_callbacks):
    quiet = MembershipFactory(organization=buyer_org, role="admin", user__username="quinn",
                              notifications={"neutrality_changed": False})
    with django_capture_on_commit_callbacks() as callbacks:
        add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    [(recipients, _, context)] = [e for e in emails_queued(callbacks)
                                  if e[1] == "emails/neutrality_changed"]
    assert recipients == [buyer.user.email]
    assert quiet.user.email not in recipients and colleague.user.email not in recipients
    assert context["vendor"] == "LabelWorks" and context["to_status"] == "conflicted"
    assert context["url"].endswith(f"/vendors/{vendor.pk}/")


def test_the_events_endpoint_lists_what_changed_and_why(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)
    listing = api.get(f"/api/v1/vendors/{vendor.pk}/neutrality/events/").json()
    assert listing["count"] == 1
    [event] = listing["results"]
    assert (event["from_status"], event["to_status"]) == ("neutral", "conflicted")
    assert event["findings"][0]["reason"].startswith("Orbital Dynamics acquired 30.0% of LabelWorks")
    assert event["recheck"] is not None


def test_a_registered_vendor_starts_with_the_status_its_recorded_owners_give_it(
        api, buyer_org, orbital):
    holder = add_stake(api, VendorFactory(organization=buyer_org, name="LabelWorks"),
                       holder="TruthSet", percent=10)
    entity = holder["holder_id"]
    add_stake(api, entity, entity=True, holder="Orbital Dynamics", percent=60)

    response = api.post("/api/v1/vendors/", {"name": "TruthSet Inc.", "criticality": "high"},
                        format="json")
    assert response.status_code == 201, response.json()
    # The entity recorded as a holder becomes the vendor's: Orbital controls it.
    assert response.json()["neutrality_status"] == "conflicted"
    assert not NeutralityEvent.objects.filter(vendor__name="TruthSet Inc.").exists()


def test_an_assessed_vendor_cannot_be_deleted(api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30)  # issues the re-check
    response = api.delete(f"/api/v1/vendors/{vendor.pk}/")
    assert response.status_code == 409
    assert "1 assessment" in response.json()["errors"][0]["message"]
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_deleting_a_vendor_that_held_a_stake_updates_the_vendor_it_held(
        api, no_recheck, buyer_org, vendor, orbital):
    truthset = VendorFactory(organization=buyer_org, name="TruthSet")
    add_stake(api, truthset, holder="Orbital Dynamics", percent=60)
    add_stake(api, vendor, holder="TruthSet", percent=30)
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "conflicted"  # through TruthSet, which Orbital controls

    assert api.delete(f"/api/v1/vendors/{truthset.pk}/").status_code == 204
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "neutral"
    latest = NeutralityEvent.objects.filter(vendor=vendor).order_by("-created_at").first()
    assert "TruthSet was removed from the vendor registry" in latest.findings[0]["reason"]


def test_admins_can_turn_the_neutrality_email_off_in_their_preferences():
    from questionnaires.core.members import NOTIFICATION_KINDS
    from questionnaires.ownership.services.neutrality import NOTIFICATION_KIND

    assert NOTIFICATION_KIND in NOTIFICATION_KINDS
