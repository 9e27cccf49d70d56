"""Thin Celery tasks: ids in, load, call a service, retry on database errors.

One module per area, re-exported here so Celery's autodiscovery (which imports
`questionnaires.tasks`) registers them all."""

from questionnaires.assessments.tasks.reassessment import (
    issue_due_reassessments,
    warn_expiring_evidence,
)
from questionnaires.assessments.tasks.reminders import send_reminders
from questionnaires.audit.tasks import audit_checkpoint_task
from questionnaires.core.tasks import send_email, worker_heartbeat
from questionnaires.reports.tasks import render_report, report_sweep_task
from questionnaires.scoring.tasks import score_job, scoring_sweep_task

__all__ = ["audit_checkpoint_task", "issue_due_reassessments", "render_report",
           "report_sweep_task", "score_job", "scoring_sweep_task", "send_email",
           "send_reminders", "warn_expiring_evidence", "worker_heartbeat"]
