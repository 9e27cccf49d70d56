"""The portfolio: every vendor of a buyer with its latest assessment and current score.

One query for a page of vendors however many there are: the latest assessment and the
latest score are correlated subqueries (Subquery/OuterRef), which PostgreSQL evaluates
only for the rows it returns, after the sort and the limit. Filters and the tier counts
use the same rule as sets (DISTINCT ON, one pass over the table), not a lookup per vendor;
only sorting by a score or status column evaluates its one subquery for every filtered
vendor. No query per vendor, ever: the tests pin the counts, bench/bench_dashboard.py the
time at 10,000 vendors.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from questionnaires.assessments.models import Assessment, Evidence
from questionnaires.assessments.services.reassessment import next_reassessment
from questionnaires.core.models import Organization
from questionnaires.ownership.models import Vendor
from questionnaires.scoring.models import ScoreRun

S = Assessment.Status
# Waiting for the vendor: the due date is theirs to meet.
WAITING = (S.SENT, S.IN_PROGRESS, S.CHANGES_REQUESTED)
APPROVED = (S.APPROVED, S.APPROVED_WITH_CONDITIONS)
TIERS = ["critical", "high", "medium", "low"]
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
NEUTRALITY = ["neutral", "at_risk", "conflicted", "discrepancy"]
EXPIRY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class PortfolioQuery:
    """What the buyer asked to see: every field empty means the whole portfolio by name."""

    search: str = ""
    tier: str = ""          # a tier, "unscored", or "" for any
    status: str = ""        # an assessment status, "none" (never assessed), or ""
    criticality: str = ""
    neutrality: str = ""
    overdue: bool = False
    sort: str = "name"


def _rank(field: str) -> Case:
    return Case(*[When(**{field: key}, then=Value(rank)) for key, rank in RANK.items()],
                default=Value(0), output_field=IntegerField())


# Sort key -> (column, the direction that comes first). Vendors without a value (never
# scored, never assessed) come last in both directions: they are not "the lowest".
SORTS = {
    "name": ("name", "asc"),
    "score": ("score_overall", "asc"),
    "tier": ("tier_rank", "desc"),
    "due": ("latest_due", "asc"),
    "status": ("latest_status", "asc"),
    "criticality": ("criticality_rank", "desc"),
}


def _ordering(sort: str) -> list:
    column, first = SORTS.get(sort.lstrip("-"), SORTS["name"])
    ascending = (first == "asc") != sort.startswith("-")
    primary = F(column).asc(nulls_last=True) if ascending else F(column).desc(nulls_last=True)
    # Name then id: a stable order, so paging never repeats or skips a vendor.
    return [primary, F("name").asc(), F("pk").asc()]


# --- The latest assessment and score of each vendor --------------------------------------------
# Two forms of the same rule ("newest, not cancelled"): correlated subqueries give the
# columns of the rows shown (PostgreSQL evaluates them for those rows only), and DISTINCT ON
# sets answer filters and counts in one pass over the table instead of one lookup per vendor.
def _latest_assessment() -> QuerySet:
    return (Assessment.objects.filter(vendor=OuterRef("pk")).exclude(status=S.CANCELLED)
            .order_by("-created_at", "-pk"))


def _latest_score() -> QuerySet:
    # The vendor's newest score, even while a newer cycle is still being answered: the
    # buyer keeps seeing the risk it knows rather than a blank.
    return (ScoreRun.objects.filter(assessment__vendor=OuterRef("pk"))
            .exclude(assessment__status=S.CANCELLED).order_by("-created_at", "-pk"))


def _newest_per(queryset: QuerySet, group: str) -> QuerySet:
    """The newest row of `queryset` for each value of `group`, in one pass.

    PostgreSQL: DISTINCT ON, one scan (what bench/bench_dashboard.py measures). Elsewhere
    (the embedded SQLite default) a correlated subquery gives the same rows."""
    if connection.vendor == "postgresql":
        return queryset.order_by(group, "-created_at", "-pk").distinct(group)
    newest = (queryset.filter(**{group: OuterRef(group)}).order_by("-created_at", "-pk")
              .values("pk")[:1])
    return queryset.filter(pk=Subquery(newest))


def latest_assessments(organization: Organization) -> QuerySet[Assessment]:
    """Each vendor's latest assessment, as one set (for filters)."""
    newest = _newest_per(Assessment.objects.filter(organization=organization)
                         .exclude(status=S.CANCELLED), "vendor_id").values("pk")
    return Assessment.objects.filter(pk__in=Subquery(newest))


def _newest_scores(organization: Organization) -> QuerySet[ScoreRun]:
    return _newest_per(ScoreRun.objects.filter(assessment__organization=organization)
                       .exclude(assessment__status=S.CANCELLED), "assessment__vendor_id")


def latest_scores(organization: Organization) -> QuerySet[ScoreRun]:
    """Each vendor's latest score run, as one set (for filters)."""
    return ScoreRun.objects.filter(pk__in=Subquery(_newest_scores(organization).values("pk")))


def with_portfolio_columns(vendors: QuerySet) -> QuerySet:
    latest, score = _latest_assessment(), _latest_score()
    approved = (Assessment.objects.filter(vendor=OuterRef("pk"), status__in=APPROVED)
                .order_by("-decided_at"))
    return vendors.annotate(
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_due=Subquery(latest.values("due_date")[:1]),
        latest_template=Subquery(latest.values("template__name")[:1]),
        score_overall=Subquery(score.values("overall")[:1]),
        score_tier=Subquery(score.values("tier")[:1]),
        score_assessment=Subquery(score.values("assessment_id")[:1]),
        last_approved_at=Subquery(approved.values("decided_at")[:1]),
    )


def _filtered(vendors: QuerySet, organization: Organization, query: PortfolioQuery,
              today: datetime.date) -> QuerySet:
    if query.search:
        vendors = vendors.filter(name__icontains=query.search)
    if query.criticality:
        vendors = vendors.filter(criticality=query.criticality)
    if query.neutrality:
        vendors = vendors.filter(neutrality_status=query.neutrality)
    scored = (ScoreRun.objects.filter(assessment__organization=organization)
              .exclude(assessment__status=S.CANCELLED).values("assessment__vendor_id"))
    if query.tier == "unscored":
        vendors = vendors.exclude(pk__in=scored)
    elif query.tier:
        vendors = vendors.filter(pk__in=latest_scores(organization).filter(tier=query.tier)
                                 .values("assessment__vendor_id"))
    assessed = (Assessment.objects.filter(organization=organization)
                .exclude(status=S.CANCELLED).values("vendor_id"))
    if query.status == "none":
        vendors = vendors.exclude(pk__in=assessed)
    elif query.status:
        vendors = vendors.filter(pk__in=latest_assessments(organization)
                                 .filter(status=query.status).values("vendor_id"))
    if query.overdue:
        vendors = vendors.filter(pk__in=latest_assessments(organization).filter(
            status__in=WAITING, due_date__lt=today).values("vendor_id"))
    return vendors


def portfolio(*, organization: Organization, query: PortfolioQuery,
              today: datetime.date) -> QuerySet[Vendor]:
    """The organisation's vendors, filtered and sorted, each annotated with its latest
    assessment (`latest_*`), current score (`score_*`) and last approval."""
    vendors = _filtered(Vendor.objects.filter(organization=organization), organization, query,
                        today)
    key = query.sort.lstrip("-")
    if key == "tier":
        # The rank inside the subquery: a CASE over the tier column outside it would run
        # the subquery once per WHEN, for every vendor.
        vendors = vendors.annotate(tier_rank=Subquery(
            _latest_score().annotate(rank=_rank("tier")).values("rank")[:1]))
    elif key == "criticality":
        vendors = vendors.annotate(criticality_rank=_rank("criticality"))
    return with_portfolio_columns(vendors).order_by(*_ordering(query.sort))


def with_schedule(vendors, *, organization: Organization, today: datetime.date) -> list[Vendor]:
    """The page's vendors with what the table shows beyond the columns: whether the
    vendor is late answering, when the next reassessment is due, and whether the score
    shown comes from an earlier cycle than the latest assessment. No queries."""
    rows = list(vendors)
    for vendor in rows:
        vendor.status_label = S(vendor.latest_status).label if vendor.latest_status else ""
        vendor.neutrality_label = vendor.neutrality_status.replace("_", " ")
        vendor.waiting = vendor.latest_status in WAITING
        vendor.overdue = bool(vendor.waiting and vendor.latest_due and vendor.latest_due < today)
        vendor.reassess_on = None
        if vendor.last_approved_at and vendor.latest_status in APPROVED:
            vendor.reassess_on = next_reassessment(vendor=vendor, organization=organization,
                                                   decided_at=vendor.last_approved_at)
        vendor.reassess_overdue = bool(vendor.reassess_on and vendor.reassess_on <= today)
        # Compare as UUIDs: SQLite hands a foreign key from a subquery back as hex text.
        vendor.score_is_previous = bool(
            vendor.score_assessment and vendor.latest_id
            and uuid.UUID(str(vendor.score_assessment)) != uuid.UUID(str(vendor.latest_id)))
    return rows


def tier_counts(*, organization: Organization) -> dict[str, int]:
    """How many vendors sit in each tier by their current score: two queries, the first
    one pass over the score runs (a vendor's tier is a short string; counting them here
    saves the database a second join)."""
    tiers = Counter(_newest_scores(organization).values_list("tier", flat=True))
    counts = {tier: tiers.get(tier, 0) for tier in TIERS}
    counts["unscored"] = (Vendor.objects.filter(organization=organization).count()
                          - sum(counts.values()))
    return counts


def expiring_evidence(*, organization: Organization, today: datetime.date,
                      limit: int = 10) -> tuple[int, list[Evidence]]:
    """(how many, the soonest `limit`) evidence files expiring within the window: two
    queries."""
    files = (Evidence.objects.filter(
        assessment__organization=organization, expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS))
        .exclude(assessment__status=S.CANCELLED))
    soonest = (files.select_related("assessment__vendor", "question")
               .order_by("expires_on", "pk")[:limit])
    return files.count(), list(soonest)


EXPORT_HEADERS = ["Vendor", "Criticality", "Neutrality", "Tier", "Score", "Assessment status",
                  "Questionnaire", "Due date", "Overdue", "Next reassessment", "Country",
                  "Website"]


def portfolio_rows(vendors: QuerySet[Vendor], *, organization: Organization,
                   today: datetime.date, chunk: int = 2000) -> Iterator[list]:
    """Export rows in EXPORT_HEADERS order, streamed in chunks (one query per chunk)."""
    batch: list[Vendor] = []
    for vendor in vendors.iterator(chunk_size=chunk):
        batch.append(vendor)
        if len(batch) == chunk:
            yield from _export(batch, organization, today)
            batch = []
    yield from _export(batch, organization, today)


def _export(batch: list[Vendor], organization: Organization, today: datetime.date):
    for v in with_schedule(batch, organization=organization, today=today):
        yield [v.name, v.criticality, v.neutrality_status, v.score_tier or "",
               v.score_overall, v.latest_status or "", v.latest_template or "",
               v.latest_due if v.waiting else None, "yes" if v.overdue else "",
               v.reassess_on, v.country, v.website]
