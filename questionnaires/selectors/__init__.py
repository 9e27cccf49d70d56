"""Reads that are more than a filter: the portfolio, a vendor's history and the difference
between two cycles, the review of one assessment, the audit trail.

Each runs a fixed number of queries whatever the number of vendors, assessments or answers;
the workspace tests pin those counts."""

from .audit import AuditQuery, audit_events, audit_rows
from .history import AssessmentDiff, assessment_diff, vendor_history
from .portfolio import (
    PortfolioQuery,
    expiring_evidence,
    portfolio,
    portfolio_rows,
    tier_counts,
)
from .review import ReviewPage, assessment_review

__all__ = [
    "AssessmentDiff", "AuditQuery", "PortfolioQuery", "ReviewPage", "assessment_diff",
    "assessment_review", "audit_events", "audit_rows", "expiring_evidence", "portfolio",
    "portfolio_rows", "tier_counts", "vendor_history",
]
