"""Builders for the scoring-in-Celery tests: a small native questionnaire, assessments
issued, answered and submitted through the real services, and a custom scenario."""

from __future__ import annotations

from typing import Any

from tests.support import builders
from tests.support.builders import RESPONDENT, job_of, submit

__all__ = ["RESPONDENT", "SCORE_TASK", "SMALL_SPEC", "ANSWERS", "custom_definition",
           "small_template", "issue_answered", "submit", "submitted", "job_of", "scored"]
SCORE_TASK = "questionnaires.tasks.scoring.score_assessment"

SMALL_SPEC: dict[str, Any] = {
    "format": "diligence/v1", "key": "scoring-check", "name": "Scoring check",
    "sections": [
        {"key": "ownership", "title": "Ownership", "questions": [
            {"key": "own_equity", "kind": "yes_no", "required": True, "weight": 2,
             "text": "Does any model builder hold equity in your company?",
             "options": [{"key": "no", "label": "No", "score": 1.0},
                         {"key": "yes", "label": "Yes", "score": 0.0}],
             "flags": [{"when": 'own_equity == "yes"', "severity": "high",
                        "title": "A model builder holds equity",
                        "recommendation": "Ask for the cap table."}]},
        ]},
        {"key": "security", "title": "Security", "questions": [
            {"key": "sec_mfa", "kind": "yes_no", "required": True,
             "text": "Is multi-factor authentication enforced for all staff?"},
            {"key": "sec_notify_hours", "kind": "number", "required": True,
             "text": "Within how many hours do you notify a breach?",
             "bands": [{"min": 0, "max": 24, "score": 1.0}, {"min": 24, "max": None, "score": 0.2}]},
        ]},
    ],
}
ANSWERS: dict[str, Any] = {"own_equity": "yes", "sec_mfa": "yes", "sec_notify_hours": 12}


def custom_definition(key: str = "mfa-bypassed", **overrides: Any) -> dict[str, Any]:
    """A valid custom scenario on the small questionnaire's questions."""
    return {
        "key": key, "title": "Phishing bypasses MFA",
        "description": "A push-fatigue attack gets past multi-factor authentication.",
        "stresses": ["access_control"],
        "changes": {"fail_controls": ["sec_mfa"]},
        "explain": ["The score moves by {delta} points to {overall}.",
                    "Phishing-resistant factors are what hold here."],
        **overrides,
    }


def small_template(organization, spec: dict[str, Any] | None = None):
    return builders.template_from(spec or SMALL_SPEC, organization)


def issue_answered(*, organization, vendor, template, answers: dict[str, Any] | None = None):
    """An assessment issued and fully answered through the services, not yet submitted."""
    assessment = builders.issue(organization=organization, vendor=vendor,
                                template=template).assessment
    builders.answer(assessment, ANSWERS if answers is None else answers)
    return assessment


def submitted(*, organization, vendor, template, answers: dict[str, Any] | None = None):
    return submit(issue_answered(organization=organization, vendor=vendor, template=template,
                                 answers=answers))


def scored(*, organization, vendor, template, answers: dict[str, Any] | None = None):
    """Submitted and scored in this process (no worker): (assessment, score run)."""
    assessment = submitted(organization=organization, vendor=vendor, template=template,
                           answers=answers)
    return assessment, builders.score(assessment)
