"""The one set of builders: a questionnaire from a native spec, an assessment issued to a
vendor, answered, submitted and scored, and evidence attached, each through the real
services. The questionnaires the tests use (tests/support/assessments.py, portal.py,
scoring.py, reports.py, templates.py) are built and walked through their life with these.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

RESPONDENT = "vera@labelworks.test"
NO_IS_GOOD = [{"key": "no", "label": "No", "score": 1.0},
              {"key": "yes", "label": "Yes", "score": 0.0}]


def template_from(spec: dict[str, Any], organization):
    """A published template of `organization` from a native spec, as an import makes it."""
    from questionnaires.authoring.importers import load_native
    from questionnaires.authoring.services.templates import template_create

    return template_create(spec=load_native(json.dumps(spec)), organization=organization,
                           source_format="native")


@dataclass
class Issued:
    """An issued assessment with its one invitation: the token is only known at issue."""

    assessment: Any
    token: str
    invitation: Any
    url: str

    @property
    def url_path(self) -> str:
        return f"/invite/{self.token}"


def issue(*, organization, vendor, template, by=None, email: str = RESPONDENT,
          due_in_days: int = 30, previous=None) -> Issued:
    """Issue `template` to `vendor` with one respondent, due in `due_in_days` days."""
    from django.utils import timezone

    from questionnaires.assessments.services.lifecycle import assessment_issue

    assessment, issued = assessment_issue(
        organization=organization, vendor=vendor, template=template,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
        respondents=[(email, "Vera Vendor")], by=by, previous=previous)
    return Issued(assessment, issued[0].token, issued[0].invitation, issued[0].url)


def answer(assessment, answers: dict[str, Any], *, by: str = RESPONDENT,
           comments: dict[str, str] | None = None) -> None:
    """Save each answer as the portal does, at the version the vendor last saw (so an
    assessment can be answered again, as in a clarification round)."""
    from questionnaires.assessments.models import Answer
    from questionnaires.assessments.services.lifecycle import answer_save

    versions = dict(Answer.objects.filter(assessment=assessment)
                    .values_list("question__key", "version"))
    for key, value in answers.items():
        answer_save(assessment=assessment, question_key=key, value=value,
                    comment=(comments or {}).get(key), version=versions.get(key), by=by)


def submit(assessment, *, by: str = RESPONDENT):
    from questionnaires.assessments.services.lifecycle import assessment_submit

    return assessment_submit(assessment=assessment, by=by)


def job_of(assessment):
    """The latest scoring job of `assessment`."""
    from questionnaires.scoring.models import ScoringJob

    return ScoringJob.objects.filter(assessment=assessment).latest("created_at")


def score(assessment):
    """Run the scoring job of the submitted answers in this process (no worker)."""
    from questionnaires.scoring.models import ScoringJob
    from questionnaires.scoring.services.runs import scoring_run

    job = (ScoringJob.objects.filter(assessment=assessment, digest=assessment.answers_digest)
           .latest("created_at"))
    return scoring_run(job_id=job.pk)


def evidence(assessment, *, key: str, name: str, content: bytes = b"%PDF-1.4\n% SOC 2 Type II\n",
             stored_as: str | None = None, by: str = RESPONDENT,
             expires_on: datetime.date | None = None):
    """A PDF attached to question `key`, written to private storage as an upload is."""
    from django.core.files.base import ContentFile

    from questionnaires.assessments.models import Evidence
    from questionnaires.authoring.models import Question

    item = Evidence(assessment=assessment, name=name, size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(), content_type="application/pdf",
                    question=Question.objects.get(template=assessment.template, key=key),
                    uploaded_by=by, expires_on=expires_on)
    item.file.save(stored_as or name, ContentFile(content), save=True)
    return item
