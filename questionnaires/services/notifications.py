"""Email, always sent by a worker after the transaction that caused it commits."""

from __future__ import annotations

from django.db import transaction

from ..models import Membership, Organization


def email_later(*, to: list[str], template: str, context: dict) -> None:
    """Queue one email rendered from templates/<template>_subject.txt and _body.txt.

    On commit, so a rolled-back change never emails anyone; the context must be JSON."""
    from ..tasks import send_email

    recipients = sorted({address for address in to if address})
    if recipients:
        # robust: the change is committed; a broker that is down must not turn it into an
        # error for the caller (the failure is logged).
        transaction.on_commit(lambda: send_email.delay(recipients, template, context),
                              robust=True)


def members_who_want(organization: Organization, event_kind: str, *,
                     roles: tuple[str, ...] = ("admin",)) -> list[str]:
    """Emails of the organisation's members in `roles` who did not turn `event_kind` off."""
    memberships = (Membership.objects.filter(organization=organization, role__in=roles,
                                             user__is_active=True)
                   .select_related("user"))
    return [m.user.email for m in memberships if m.user.email and m.wants(event_kind)]
