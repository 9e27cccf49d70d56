"""The portfolio dashboard: columns, filters, sorting, search, paging, chart, exports,
tenancy, and a query count that does not grow with the number of vendors."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from tests.support import assessments as builders
from tests.support.factories import VendorFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_each_vendor_with_its_latest_assessment_score_and_tier(
        buyer_client, submitted, vendor):
    page = buyer_client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    run = submitted.score_runs.get()
    assert vendor.name in html and f"{run.overall:.1f}" in html
    assert f"tier-{run.tier}" in html and "Submitted" in html
    assert f"/assessments/{submitted.pk}/" in html


def test_an_overdue_assessment_is_marked_overdue(buyer, buyer_client, vendor, template):
    from questionnaires.assessments.models import Assessment

    assessment = builders.issue(organization=buyer.organization, vendor=vendor,
                                template=template)
    Assessment.objects.filter(pk=assessment.pk).update(
        due_date=datetime.date.today() - datetime.timedelta(days=2))
    html = buyer_client.get("/").content.decode()
    assert 'class="overdue">overdue' in html
    only_overdue = buyer_client.get("/?overdue=on").content.decode()
    assert vendor.name in only_overdue


def test_filters_by_tier_status_criticality_neutrality_and_search(
        buyer, buyer_client, submitted, vendor):
    other = VendorFactory(organization=buyer.organization, name="Quiet Annotators",
                          criticality="low", neutrality_status="at_risk")
    tier = submitted.score_runs.get().tier

    def names(query):
        response = buyer_client.get("/" + query)
        assert response.status_code == 200
        return [v.name for v in response.context["rows"]]

    assert names(f"?tier={tier}") == [vendor.name]
    assert names("?tier=unscored") == [other.name]
    assert names("?status=submitted") == [vendor.name]
    assert names("?status=none") == [other.name]
    assert names("?criticality=low") == [other.name]
    assert names("?neutrality=at_risk") == [other.name]
    assert names("?q=quiet") == [other.name]


def test_sorting_by_score_or_tier_puts_the_riskiest_first_and_the_unscored_last(buyer, buyer_client, template):
    safe = VendorFactory(organization=buyer.organization, name="Alpha Safe")
    risky = VendorFactory(organization=buyer.organization, name="Zulu Risky")
    builders.scored(organization=buyer.organization, vendor=safe, template=template,
                    answers=builders.SAFE)
    builders.scored(organization=buyer.organization, vendor=risky, template=template)
    VendorFactory(organization=buyer.organization, name="Middle Unscored")
    by_score = [v.name for v in buyer_client.get("/?sort=score").context["rows"]]
    assert by_score == ["Zulu Risky", "Alpha Safe", "Middle Unscored"]
    descending = [v.name for v in buyer_client.get("/?sort=-score").context["rows"]]
    assert descending == ["Alpha Safe", "Zulu Risky", "Middle Unscored"]  # unscored last
    by_tier = [v.name for v in buyer_client.get("/?sort=tier").context["rows"]]
    assert by_tier == ["Zulu Risky", "Alpha Safe", "Middle Unscored"]


def test_an_unknown_filter_value_is_a_400_naming_the_field(buyer_client):
    response = buyer_client.get("/?tier=purple&sort=bogus")
    assert response.status_code == 400
    html = response.content.decode()
    assert "tier:" in html and "sort:" in html


def test_htmx_requests_get_only_the_table_fragment(buyer_client, submitted, vendor):
    response = buyer_client.get("/?q=label", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="portfolio"') and vendor.name in html
    assert "<html" not in html and "HX-Request" in response["Vary"]


def test_the_tier_chart_is_an_svg_counting_vendors_per_tier(buyer, buyer_client, submitted):
    VendorFactory(organization=buyer.organization, name="Never Assessed")
    response = buyer_client.get("/")
    tier = submitted.score_runs.get().tier
    assert response.context["counts"][tier] == 1 and response.context["counts"]["unscored"] == 1
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "Vendors by risk tier" in html


def test_pages_of_fifty_vendors(buyer, buyer_client):
    VendorFactory.create_batch(55, organization=buyer.organization)
    first = buyer_client.get("/")
    assert len(first.context["rows"]) == 50 and first.context["page"].has_next()
    second = buyer_client.get("/?page=2")
    assert len(second.context["rows"]) == 5
    assert buyer_client.get("/?page=999").status_code == 200  # the last page, not an error


HOSTILE = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
           "\tcmd", "\r=1"]


@pytest.fixture
def hostile_vendors(buyer):
    return [VendorFactory(organization=buyer.organization, name=f"{text} {n}",
                          website="", country="")
            for n, text in enumerate(HOSTILE)]


def test_csv_export_makes_every_formula_cell_inert(buyer_client, hostile_vendors):
    response = buyer_client.get("/portfolio/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Vendor"
    names = [row[0] for row in rows[1:]]
    assert len(names) == len(HOSTILE)
    for name in names:
        assert name.startswith("'"), name
        assert name[1] in "=+-@\t\r"


def test_xlsx_export_makes_every_formula_cell_inert_and_keeps_numbers(
        buyer_client, hostile_vendors, submitted, vendor):
    response = buyer_client.get("/portfolio/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Vendor"
    by_name = {row[0]: row for row in rows[1:]}
    for name in by_name:
        assert not str(name).startswith(("=", "+", "-", "@", "\t", "\r")), name
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, len(rows) + 1))
    assert isinstance(by_name[vendor.name][4], (int, float))  # the score stays a number


def test_exports_follow_the_filters(buyer, buyer_client, submitted, vendor):
    VendorFactory(organization=buyer.organization, name="Someone Else")
    text = b"".join(buyer_client.get("/portfolio/export.csv?q=labelw").streaming_content)
    assert vendor.name.encode() in text and b"Someone Else" not in text


def test_another_organisations_vendors_never_appear_anywhere(
        outsider_client, submitted, vendor):
    for url in ("/", "/?q=Label", "/portfolio/export.csv", "/portfolio/export.xlsx"):
        response = outsider_client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert vendor.name.encode() not in body
    fragment = outsider_client.get("/?q=Label", HTTP_HX_REQUEST="true")
    assert vendor.name.encode() not in fragment.content


def test_compliance_reads_the_dashboard_and_exports(compliance_client, submitted, vendor):
    assert vendor.name.encode() in compliance_client.get("/").content
    assert compliance_client.get("/portfolio/export.xlsx").status_code == 200


def test_evidence_expiring_within_30_days_is_flagged_on_the_dashboard(
        buyer_client, submitted):
    soon = builders.evidence(submitted, name="soc2-2024.pdf",
                             expires_on=datetime.date.today() + datetime.timedelta(days=10))
    builders.evidence(submitted, name="iso-2030.pdf",
                      expires_on=datetime.date.today() + datetime.timedelta(days=400))
    html = buyer_client.get("/").content.decode()
    assert soon.name in html and "iso-2030.pdf" not in html


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/", "/?sort=-tier", "/?status=submitted&sort=due",
                                 "/?q=vendor&criticality=medium&overdue=", "/?page=2"])
def test_the_dashboard_runs_the_same_number_of_queries_for_5_and_50_vendors(
        buyer, buyer_client, template, url, django_assert_num_queries):
    builders.bulk_portfolio(organization=buyer.organization, template=template, count=5)
    small = _queries(buyer_client, url)
    builders.bulk_portfolio(organization=buyer.organization, template=template, count=50,
                            prefix="More vendor")
    with django_assert_num_queries(small):
        assert buyer_client.get(url).status_code == 200
    assert small <= 9


def test_the_dashboard_fragment_and_exports_run_a_fixed_number_of_queries(
        buyer, buyer_client, template, django_assert_num_queries):
    builders.bulk_portfolio(organization=buyer.organization, template=template, count=5)
    fragment = _queries(buyer_client, "/?sort=score")
    builders.bulk_portfolio(organization=buyer.organization, template=template, count=60,
                            prefix="More vendor")
    with django_assert_num_queries(fragment):
        buyer_client.get("/?sort=score")
    with django_assert_num_queries(4):  # session, user, membership, the rows
        b"".join(buyer_client.get("/portfolio/export.csv").streaming_content)
