"""Reminding respondents of a due date: 7, 3 and 1 days before it, and once when overdue.

Run daily by celery beat (assessments/tasks/reminders.py). Each kind is sent at most once per
invitation, whatever happens: the kinds already sent are recorded on the invitation in the
same transaction that queues the email (after commit), under a row lock, so a rerun, a
retry or two beat processes racing each other never email anyone twice.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from questionnaires.assessments.models import Assessment, Invitation
from questionnaires.audit.services import audit_record
from questionnaires.core.notifications import email_later

# Most urgent first: (kind, days before the due date it applies from; None = overdue).
KINDS: list[tuple[str, int | None]] = [("overdue", None), ("1d", 1), ("3d", 3), ("7d", 7)]
OPEN = (Assessment.Status.SENT, Assessment.Status.IN_PROGRESS,
        Assessment.Status.CHANGES_REQUESTED)
# Invitations examined per run: one day's reminders fit many times over, and a backlog
# (say after an outage) drains over the next runs instead of holding one long transaction.
BATCH = 2000


def reminder_due(invitation: Invitation, today: datetime.date) -> tuple[str, list[str]] | None:
    """(the kind to send today, every kind it covers) or None.

    Only the most urgent kind that applies is sent; the less urgent ones are recorded with
    it, so after a missed day nobody receives "7 days left" after "1 day left". A kind
    applies only to an invitation that existed on the day it was due, because the
    invitation email itself already stated the due date."""
    due = invitation.assessment.due_date
    created = timezone.localdate(invitation.created_at)
    days_left = (due - today).days
    for index, (kind, days) in enumerate(KINDS):
        threshold = due + datetime.timedelta(days=1) if days is None else \
            due - datetime.timedelta(days=days)
        applies = days_left < 0 if days is None else days_left <= days
        if applies and created < threshold:
            if kind in invitation.reminders_sent:
                return None
            return kind, [k for k, _ in KINDS[index:]]
    return None


def reminders_send(*, today: datetime.date) -> int:
    """Send today's reminders; returns how many were sent. Safe to run any number of times."""
    now = timezone.now()
    candidates = (Invitation.objects
                  .filter(revoked_at__isnull=True, expires_at__gt=now,
                          assessment__status__in=OPEN,
                          assessment__due_date__lte=today + datetime.timedelta(days=7))
                  .select_related("assessment")
                  .order_by("assessment__due_date", "pk"))
    due_ids = [invitation.pk for invitation in candidates[:BATCH]
               if reminder_due(invitation, today) is not None]
    return sum(_send_one(invitation_id, today) for invitation_id in due_ids)


@transaction.atomic
def _send_one(invitation_id, today: datetime.date) -> int:
    # Lock the row and decide again under the lock: another run may have sent it meanwhile.
    # skip_locked: if another run holds this row, it is sending this very reminder.
    invitation = (Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("assessment", "assessment__organization",
                                  "assessment__template", "assessment__created_by")
                  .filter(pk=invitation_id, revoked_at__isnull=True,
                          assessment__status__in=OPEN).first())
    if invitation is None:
        return 0
    decision = reminder_due(invitation, today)
    if decision is None:
        return 0
    kind, covered = decision
    invitation.reminders_sent = sorted(set(invitation.reminders_sent) | set(covered))
    invitation.save(update_fields=["reminders_sent"])
    assessment = invitation.assessment
    contact = assessment.created_by.email if assessment.created_by else ""
    email_later(to=[invitation.email], template="emails/portal_reminder",
                context={"kind": kind, "name": invitation.name,
                         "buyer": assessment.organization.name,
                         "questionnaire": assessment.template.name,
                         "due_date": assessment.due_date.isoformat(),
                         "days_left": (assessment.due_date - today).days,
                         "invited_on": timezone.localdate(invitation.created_at).isoformat(),
                         "contact": contact})
    audit_record(organization=assessment.organization, action="assessment.reminded",
                 obj=assessment, data={"kind": kind, "email": invitation.email,
                                       "invitation": str(invitation.pk)})
    return 1
