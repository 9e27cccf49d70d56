"""A vendor's assessments over time: the score trend and what changed between two cycles."""

from __future__ import annotations

import pytest

from questionnaires.assessments.models import Assessment
from questionnaires.assessments.selectors.history import assessment_diff
from tests.support import assessments as builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cycles(buyer, vendor, template, submitted):
    """The risky first cycle, approved; then a safer second one, submitted and scored."""
    Assessment.objects.filter(pk=submitted.pk).update(status="approved")
    second = builders.issue(organization=buyer.organization, vendor=vendor, template=template,
                            previous=submitted)
    builders.answer(second, {"own_equity": "no", "own_stake": None, "sec_mfa": "yes",
                             "sec_notify_hours": 12})
    return submitted, builders.submit_and_score(second)


def test_the_diff_lists_changed_answers_moved_sections_and_flags_raised_or_cleared(two_cycles):
    first, second = two_cycles
    diff = assessment_diff(older=first, newer=second)
    changed = {c.key: (c.before, c.after) for c in diff.answers}
    assert changed == {"own_equity": ("Yes", "No"), "own_stake": ("30", ""),
                       "sec_mfa": ("No", "Yes"), "sec_notify_hours": ("96", "12")}
    assert {c.key: c.kind for c in diff.answers}["own_stake"] == "removed"
    moved = {s.key: s.delta for s in diff.sections}
    assert moved["security"] > 0 and moved["ownership"] > 0
    assert diff.overall_delta > 0
    assert {f["title"] for f in diff.cleared} == {"A model builder holds equity",
                                                  "Breach notification slower than 72 hours"}
    assert diff.raised == []


def test_the_page_shows_the_trend_chart_and_the_latest_two_cycles_compared(
        reviewer_client, two_cycles, vendor):
    first, second = two_cycles
    response = reviewer_client.get(f"/vendors/{vendor.pk}/assessments/")
    assert response.status_code == 200
    assert response.context["diff"].older == first and response.context["diff"].newer == second
    html = response.content.decode()
    assert "<polyline" in html and "Overall score per assessment" in html
    assert "Flags cleared (2)" in html and "A model builder holds equity" in html


def test_any_two_cycles_can_be_compared_and_a_foreign_one_is_refused(
        reviewer_client, two_cycles, vendor, outsider, template):
    first, second = two_cycles
    swapped = reviewer_client.get(f"/vendors/{vendor.pk}/assessments/?from={second.pk}"
                                  f"&to={first.pk}")
    assert swapped.context["diff"].newer == second  # always earlier -> later
    bogus = reviewer_client.get(f"/vendors/{vendor.pk}/assessments/?from={first.pk}&to=nope")
    assert bogus.status_code == 400


def test_another_organisations_vendor_is_404(outsider_client, two_cycles, vendor):
    assert outsider_client.get(f"/vendors/{vendor.pk}/assessments/").status_code == 404


def test_the_page_runs_the_same_number_of_queries_for_5_and_50_cycles(
        buyer, reviewer_client, vendor, template, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_cycles(count):
        for _ in range(count):
            assessment = builders.scored(organization=buyer.organization, vendor=vendor,
                                         template=template)
            Assessment.objects.filter(pk=assessment.pk).update(status="approved")

    add_cycles(5)
    with CaptureQueriesContext(connection) as captured:
        assert reviewer_client.get(f"/vendors/{vendor.pk}/assessments/").status_code == 200
    add_cycles(45)
    with django_assert_num_queries(len(captured)):
        response = reviewer_client.get(f"/vendors/{vendor.pk}/assessments/")
    assert len(response.context["history"]) == 50 and len(response.context["points"]) == 50
