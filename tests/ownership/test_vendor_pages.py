"""The vendor pages: registry, the vendor page with its pictures, findings and history, the
stake forms, competitors and settings; server-rendered and safe under the strict CSP."""

import re

import pytest
from django.urls import reverse

from questionnaires.audit.models import AuditEvent
from questionnaires.ownership.models import Competitor, NeutralityEvent, Stake, Vendor
from tests.support.factories import VendorFactory
from tests.support.ownership import add_stake

pytestmark = pytest.mark.django_db
# The vendor page: session, user, membership; the vendor; the buyer's graph (3); the stakes
# above it; its events and their count; the latest submitted assessment.
PAGE_QUERIES = 11


@pytest.fixture
def browser(client, buyer):
    client.force_login(buyer.user)
    return client


def url(name, *args):
    return reverse(f"workspace:{name}", args=args)


def assert_csp_safe(response):
    """Scripts only from files with the nonce, no inline handlers or styles."""
    html = response.content.decode()
    assert "Content-Security-Policy" in response.headers
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="' in tag and f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle=", html), "inline style attribute"
    assert "<style" not in html


# --- Registry ---------------------------------------------------------------------------------------
def test_the_list_filters_by_search_criticality_and_neutrality(browser, buyer_org, outsider):
    VendorFactory(organization=buyer_org, name="LabelWorks", criticality="critical",
                  neutrality_status="conflicted")
    VendorFactory(organization=buyer_org, name="Annotada", criticality="low",
                  aliases=["Annotada GmbH"])
    VendorFactory(organization=outsider.organization, name="Hidden Labs")

    page = browser.get(url("vendors-list"))
    assert page.status_code == 200
    assert b"LabelWorks" in page.content and b"Annotada" in page.content
    assert b"Hidden Labs" not in page.content
    assert_csp_safe(page)
    assert b"Annotada" not in browser.get(url("vendors-list") + "?criticality=critical").content
    only = browser.get(url("vendors-list") + "?neutrality=conflicted").content
    assert b"LabelWorks" in only and b"Annotada" not in only
    assert b"LabelWorks" not in browser.get(url("vendors-list") + "?q=gmbh").content


def test_a_vendor_is_registered_edited_and_removed_through_the_pages(browser, buyer_org):
    response = browser.post(url("vendors-create"), {
        "name": "TruthSet", "aliases": "TruthSet AI\nTruth Set", "website": "truthset.example",
        "country": "nl", "criticality": "high", "services": ["annotation", "rlhf"],
        "contact_name": "Tess", "contact_email": "tess@truthset.test"})
    vendor = Vendor.objects.get(name="TruthSet")
    assert response.status_code == 302 and response["Location"] == url("vendors-detail",
                                                                       vendor.pk)
    assert (vendor.aliases, vendor.country, vendor.services) == (
        ["TruthSet AI", "Truth Set"], "NL", ["annotation", "rlhf"])

    assert browser.get(url("vendors-edit", vendor.pk)).status_code == 200
    response = browser.post(url("vendors-edit", vendor.pk), {
        "name": "TruthSet", "aliases": "", "criticality": "critical"})
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.criticality == "critical" and vendor.aliases == []

    confirm = browser.get(url("vendors-delete", vendor.pk))
    assert confirm.status_code == 200 and b"Remove TruthSet" in confirm.content
    assert browser.post(url("vendors-delete", vendor.pk)).status_code == 302
    assert not Vendor.objects.filter(pk=vendor.pk).exists()
    assert list(AuditEvent.objects.filter(action__startswith="vendor.").order_by("seq")
                .values_list("action", flat=True)) == ["vendor.created", "vendor.updated",
                                                       "vendor.deleted"]


def test_a_bad_vendor_form_is_shown_again_with_its_errors(browser, vendor):
    response = browser.post(url("vendors-create"), {"name": "labelworks", "country": "NLD",
                                                    "criticality": "high"})
    assert response.status_code == 400
    assert b"already registered" in response.content
    assert b"two-letter" in response.content


# --- The vendor page ----------------------------------------------------------------------------------
def test_the_vendor_page_shows_the_graph_the_timeline_findings_and_history(
        browser, api, no_recheck, vendor, orbital):
    fund = add_stake(api, vendor, holder="Example Ventures LP", percent=40,
                     acquired_on="2024-01-01")
    add_stake(api, fund["holder_id"], entity=True, holder="Orbital Dynamics", percent=70,
              acquired_on="2024-06-01")

    page = browser.get(url("vendors-detail", vendor.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert_csp_safe(page)
    assert html.count("<svg") == 2  # the graph and the timeline, drawn on the server
    assert "Ownership of LabelWorks on" in html
    assert "Orbital Dynamics → Example Ventures LP → LabelWorks" in html
    assert "40.0%" in html and "Conflicted" in html
    assert "2024-06-01" in html  # when the status changed, recomputed from the dates
    assert "Orbital Dynamics acquired 70.0% of Example Ventures LP" in html  # and why
    assert 'id="entity-names"' in html  # names offered for the holder fields


def test_the_vendor_page_shows_the_ownership_on_a_past_day(browser, api, no_recheck, vendor,
                                                           orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=30, acquired_on="2024-06-01")
    before = browser.get(url("vendors-detail", vendor.pk) + "?on=2024-05-31").content.decode()
    assert "Neutrality on 2024-05-31" in before
    assert "No competitor holds anything" in before
    unreadable = browser.get(url("vendors-detail", vendor.pk) + "?on=yesterday")
    assert unreadable.status_code == 200 and b"is not a date" in unreadable.content


def test_the_vendor_page_lists_recorded_events_with_the_recheck(browser, api, vendor, orbital):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=49)
    html = browser.get(url("vendors-detail", vendor.pk)).content.decode()
    assert "Recorded change-of-control events" in html
    assert f"Rapid neutrality re-check issued to {vendor.contact_email}" in html
    assert "Re-check: Sent" in html


def test_the_page_query_count_does_not_grow_with_the_graph(browser, api, no_recheck, vendor,
                                                           orbital, django_assert_num_queries):
    add_stake(api, vendor, holder="Orbital Dynamics", percent=5)
    add_stake(api, vendor, holder="Founders Trust", percent=50)
    page = url("vendors-detail", vendor.pk)
    browser.get(page)  # the session's first request warms what a session caches

    with django_assert_num_queries(PAGE_QUERIES):
        browser.get(page)
    previous = vendor
    for index in range(12):
        body = add_stake(api, previous, entity=index > 0, holder=f"Layer {index} Holdings",
                         percent=1, acquired_on=f"2024-01-{index + 1:02d}")
        previous = body["holder_id"]
    with django_assert_num_queries(PAGE_QUERIES):
        browser.get(page)


def test_a_stake_recorded_through_the_page_changes_the_status(browser, vendor, orbital):
    response = browser.post(url("vendors-stake-add", vendor.pk), {
        "subject": "", "holder": "Orbital Dynamics", "holder_kind": "company",
        "percent": "49", "board_seats": "1", "observer_seats": "0",
        "acquired_on": "2025-06-13", "source": "Press release"})
    assert response.status_code == 400  # the subject must be chosen
    page = browser.get(url("vendors-detail", vendor.pk)).content.decode()
    node = re.search(r'<option value="([^"]+)"[^>]*>LabelWorks \(the vendor\)', page)[1]

    response = browser.post(url("vendors-stake-add", vendor.pk), {
        "subject": node, "holder": "Orbital Dynamics", "holder_kind": "company",
        "percent": "49", "board_seats": "1", "observer_seats": "0",
        "acquired_on": "2025-06-13", "source": "Press release"}, follow=True)
    assert response.status_code == 200
    assert b"LabelWorks is now conflicted (was neutral)." in response.content
    assert NeutralityEvent.objects.get().recheck is not None


def test_a_chain_link_is_recorded_by_choosing_an_entity_above_the_vendor(browser, api,
                                                                         no_recheck, vendor,
                                                                         orbital):
    fund = add_stake(api, vendor, holder="Example Ventures LP", percent=40)
    response = browser.post(url("vendors-stake-add", vendor.pk), {
        "subject": fund["holder_id"], "holder": "Orbital Dynamics", "holder_kind": "company",
        "percent": "70", "board_seats": "0", "observer_seats": "0"})
    assert response.status_code == 302
    stake = Stake.objects.get(holder__name="Orbital Dynamics")
    assert stake.subject.name == "Example Ventures LP"
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "conflicted"


def test_a_refused_stake_is_shown_with_the_reason_next_to_the_form(browser, api, no_recheck,
                                                                   vendor):
    add_stake(api, vendor, holder="Founders Trust", percent=80, acquired_on="2024-01-01")
    page = browser.get(url("vendors-detail", vendor.pk)).content.decode()
    node = re.search(r'<option value="([^"]+)"[^>]*>LabelWorks \(the vendor\)', page)[1]
    response = browser.post(url("vendors-stake-add", vendor.pk), {
        "subject": node, "holder": "Northwind", "holder_kind": "fund", "percent": "30",
        "board_seats": "0", "observer_seats": "0", "acquired_on": "2024-02-01"})
    assert response.status_code == 400
    assert "on 2024-02-01 the shares held in LabelWorks would total 110.0%" in (
        response.content.decode())
    assert Stake.objects.count() == 1


def test_a_stake_is_disposed_of_through_the_page(browser, api, no_recheck, vendor, orbital):
    stake = add_stake(api, vendor, holder="Orbital Dynamics", percent=30,
                      acquired_on="2024-01-01")
    prefix = f"dispose-{stake['id']}"
    response = browser.post(url("vendors-stake-dispose", vendor.pk, stake["id"]),
                            {f"{prefix}-disposed_on": "2023-12-01"})
    assert response.status_code == 400
    assert b"before the stake was acquired" in response.content
    response = browser.post(url("vendors-stake-dispose", vendor.pk, stake["id"]),
                            {f"{prefix}-disposed_on": "2024-09-01", f"{prefix}-source": "8-K"})
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.neutrality_status == "neutral"
    assert str(Stake.objects.get().disposed_on) == "2024-09-01"


def test_a_stake_of_another_vendor_cannot_be_disposed_of_from_this_vendors_page(
        browser, api, no_recheck, buyer_org, vendor):
    other = VendorFactory(organization=buyer_org, name="Annotada")
    stake = add_stake(api, other, holder="Northwind", percent=30)
    response = browser.post(url("vendors-stake-dispose", vendor.pk, stake["id"]),
                            {f"dispose-{stake['id']}-disposed_on": "2024-09-01"})
    assert response.status_code == 404


# --- Competitors and settings ------------------------------------------------------------------------------
def test_competitors_are_declared_edited_and_removed_through_the_page(browser, buyer_org):
    assert browser.get(url("vendors-competitors")).status_code == 200
    response = browser.post(url("vendors-competitors"), {"name": "Orbital Dynamics",
                                                         "aliases": "Orbital AI"})
    assert response.status_code == 302
    competitor = Competitor.objects.get()
    page = browser.get(url("vendors-competitors"))
    assert b"Orbital AI" in page.content
    assert_csp_safe(page)
    browser.post(url("vendors-competitor-edit", competitor.pk),
                 {f"{competitor.pk}-name": "Orbital Dynamics",
                  f"{competitor.pk}-aliases": "Orbital AI\nOrbital Labs"})
    competitor.refresh_from_db()
    assert competitor.aliases == ["Orbital AI", "Orbital Labs"]
    duplicate = browser.post(url("vendors-competitors"), {"name": "orbital ai"})
    assert duplicate.status_code == 400 and b"already declared" in duplicate.content
    browser.post(url("vendors-competitor-delete", competitor.pk))
    assert not Competitor.objects.exists()


def test_an_admin_changes_the_settings_through_the_page(browser, buyer_org):
    page = browser.get(url("vendors-settings"))
    assert page.status_code == 200 and b"At risk from" in page.content
    response = browser.post(url("vendors-settings"), {
        "at_risk_percent": "10", "conflicted_percent": "25", "voting_control_percent": "50",
        "board_seat": "conflicted", "observer_seat": "info", "information_rights": "at_risk"})
    assert response.status_code == 302
    buyer_org.refresh_from_db()
    assert buyer_org.neutrality_thresholds == {"at_risk_percent": 10, "observer_seat": "info"}
    assert buyer_org.auto_recheck is False  # the unticked box
    refused = browser.post(url("vendors-settings"), {
        "at_risk_percent": "40", "conflicted_percent": "25", "voting_control_percent": "50",
        "board_seat": "conflicted", "observer_seat": "info", "information_rights": "at_risk",
        "auto_recheck": "on"})
    assert refused.status_code == 400 and b"must not be above" in refused.content


def test_a_reviewer_sees_the_settings_read_only_and_cannot_post_them(client, colleague):
    client.force_login(colleague.user)
    page = client.get(url("vendors-settings"))
    assert page.status_code == 200 and b"only an administrator" in page.content
    assert client.post(url("vendors-settings"), {"at_risk_percent": "1"}).status_code == 403
