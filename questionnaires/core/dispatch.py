"""Background work is queued by task name, so services never import task modules.

Tasks are thin interface code (ids in, load, call a service); services sit below them. A
service that needs work done elsewhere names the task here instead of importing it, which
keeps imports running one way: tasks -> services -> models.

The names are stable, public identifiers: they are what a queued message, a beat schedule
(settings or django-celery-beat's table) and a worker of the previous release agree on. They
keep the module paths of the first layout, so moving code never strands a message in flight.
Each task's decorator repeats its name, and a test checks the two lists match."""

from __future__ import annotations

SCORE = "questionnaires.tasks.scoring.score_assessment"
SCORING_SWEEP = "questionnaires.tasks.scoring.scoring_sweep_task"
RENDER_REPORT = "questionnaires.tasks.reports.render_report"
REPORT_SWEEP = "questionnaires.tasks.reports.report_sweep_task"
SEND_EMAIL = "questionnaires.tasks.email.send_email"
SEND_REMINDERS = "questionnaires.tasks.reminders.send_reminders"
ISSUE_DUE_REASSESSMENTS = "questionnaires.tasks.reassessment.issue_due_reassessments"
WARN_EXPIRING_EVIDENCE = "questionnaires.tasks.reassessment.warn_expiring_evidence"
WORKER_HEARTBEAT = "questionnaires.tasks.base.worker_heartbeat"
PING = "questionnaires.tasks.base.ping"
AUDIT_CHECKPOINT = "questionnaires.tasks.audit.checkpoint"

NAMES = (SCORE, SCORING_SWEEP, RENDER_REPORT, REPORT_SWEEP, SEND_EMAIL, SEND_REMINDERS,
         ISSUE_DUE_REASSESSMENTS, WARN_EXPIRING_EVIDENCE, WORKER_HEARTBEAT, PING,
         AUDIT_CHECKPOINT)


def task(name: str):
    """The registered task called `name` (questionnaires.apps registers them all at start-up)."""
    from diligence.celery import app

    return app.tasks[name]


def publish(name: str, *args) -> None:
    """Queue one call of `name` now. Raises whatever the broker raised: callers decide
    whether that leaves an outbox row pending (core.outbox) or runs the work in-process."""
    task(name).apply_async(args=list(args))
