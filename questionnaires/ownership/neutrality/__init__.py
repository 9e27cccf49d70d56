"""Vendor neutrality: who among the buyer's competitors holds what in a vendor, and how.

Pure Python over plain data (no Django): `analyse` gives a vendor's status and findings on a
day, `status_changes` when and why that status changed, `cross_check` where the vendor's own
answers disagree with the registry, (questionnaires.charts draws the ownership graph and its timeline).
"""

from questionnaires.ownership.neutrality.analysis import (
    OWN_BOARD_SEAT_COMPETITOR,
    OWN_MODEL_BUILDER_EQUITY,
    QUESTION_TEXT,
    Finding,
    PathShare,
    Result,
    StatusChange,
    analyse,
    cross_check,
    status_changes,
)
from questionnaires.ownership.neutrality.matching import (
    LEGAL_SUFFIXES,
    CompetitorSide,
    Link,
    match_competitor,
    normalise_name,
)
from questionnaires.ownership.neutrality.paths import MAX_PATHS, OwnershipTooComplex
from questionnaires.ownership.neutrality.records import (
    DEFAULT_AT_RISK_PERCENT,
    DEFAULT_BOARD_SEAT,
    DEFAULT_CONFLICTED_PERCENT,
    DEFAULT_INFORMATION_RIGHTS,
    DEFAULT_OBSERVER_SEAT,
    DEFAULT_VOTING_CONTROL_PERCENT,
    Competitor,
    Entity,
    NeutralityInputError,
    Stake,
    Thresholds,
)

__all__ = [
    "DEFAULT_AT_RISK_PERCENT", "DEFAULT_BOARD_SEAT", "DEFAULT_CONFLICTED_PERCENT",
    "DEFAULT_INFORMATION_RIGHTS", "DEFAULT_OBSERVER_SEAT", "DEFAULT_VOTING_CONTROL_PERCENT",
    "LEGAL_SUFFIXES", "MAX_PATHS", "OWN_BOARD_SEAT_COMPETITOR", "OWN_MODEL_BUILDER_EQUITY",
    "QUESTION_TEXT", "Competitor", "CompetitorSide", "Entity", "Finding", "Link",
    "NeutralityInputError", "OwnershipTooComplex", "PathShare", "Result", "Stake",
    "StatusChange", "Thresholds", "analyse", "cross_check", "match_competitor",
    "normalise_name", "status_changes",
]
