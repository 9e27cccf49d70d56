"""The models, one module per aggregate."""

from .assessments import (
    Answer,
    AnswerRevision,
    Assessment,
    Comment,
    Evidence,
    Invitation,
    RemediationItem,
    Review,
)
from .audit import AuditEvent
from .base import Criticality, Tier
from .organizations import Membership, Organization
from .scoring import Report, Scenario, ScoreRun, ScoringJob
from .templates import Question, QuestionKind, Section, Template
from .vendors import Competitor, Entity, NeutralityEvent, Stake, Vendor

__all__ = [
    "Answer", "AnswerRevision", "Assessment", "AuditEvent", "Comment", "Competitor",
    "Criticality", "Entity", "Evidence", "Invitation", "Membership", "NeutralityEvent",
    "Organization", "Question", "QuestionKind", "RemediationItem", "Report", "Review",
    "Scenario", "ScoreRun", "ScoringJob", "Section", "Stake", "Template", "Tier", "Vendor",
]
