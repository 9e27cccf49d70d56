"""Email, sent by a worker after the transaction that caused it commits; sent in-process
instead when the broker cannot take it, so that a Redis outage loses no invitation link."""

from __future__ import annotations

import logging

from django.db import transaction

from questionnaires.core import dispatch
from questionnaires.core.models import Membership, Organization

logger = logging.getLogger(__name__)


def email_later(*, to: list[str], template: str, context: dict) -> None:
    """Queue one email rendered from templates/<template>_subject.txt and _body.txt.

    On commit, so a rolled-back change never emails anyone; the context must be JSON."""
    recipients = sorted({address for address in to if address})
    if recipients:
        # robust: the change is committed; nothing that goes wrong with the email may turn
        # it into an error for the caller (the failure is logged).
        transaction.on_commit(lambda: _send_later(dispatch.task(dispatch.SEND_EMAIL), recipients, template, context),
                              robust=True)


def _send_later(task, recipients: list[str], template: str, context: dict) -> None:
    try:
        task.delay(recipients, template, context)
    except Exception as exc:  # kombu raises many types; all mean "not queued"
        # The broker is down (its publish retries and timeouts are bounded in settings).
        # The change is committed, so send now rather than lose it: slower for this one
        # request, but an invitation or a reminder is not silently dropped.
        logger.warning("email %s to %d recipient(s) not queued (%s); sending in-process",
                       template, len(recipients), exc)
        task.run(recipients, template, context)


def members_who_want(organization: Organization, event_kind: str, *,
                     roles: tuple[str, ...] = ("admin",)) -> list[str]:
    """Emails of the organisation's members in `roles` who did not turn `event_kind` off."""
    memberships = (Membership.objects.filter(organization=organization, role__in=roles,
                                             user__is_active=True)
                   .select_related("user"))
    return [m.user.email for m in memberships if m.user.email and m.wants(event_kind)]
