"""The models, one module per aggregate."""

from questionnaires.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    Comment,
    Evidence,
    Invitation,
    RemediationItem,
    Review,
)
from questionnaires.audit.models import AuditCheckpoint, AuditEvent
from questionnaires.authoring.models import Question, QuestionKind, Section, Template
from questionnaires.core.base import Criticality, Tier
from questionnaires.core.models import Membership, Organization
from questionnaires.ownership.models import Competitor, Entity, NeutralityEvent, Stake, Vendor
from questionnaires.reports.models import Report
from questionnaires.scoring.models import Scenario, ScoreRun, ScoringJob

__all__ = [
    "Answer", "AnswerRevision", "Assessment", "AuditCheckpoint", "AuditEvent", "Comment",
    "Competitor", "Criticality", "Entity", "Evidence", "Invitation", "Membership", "NeutralityEvent",
    "Organization", "Question", "QuestionKind", "RemediationItem", "Report", "Review",
    "Scenario", "ScoreRun", "ScoringJob", "Section", "Stake", "Template", "Tier", "Vendor",
]
