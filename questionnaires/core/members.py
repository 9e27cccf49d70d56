"""Members of a buyer organisation: inviting, changing roles, removing, and what each one
wants to be emailed about.

Removing a member ends their access at once, on every door: the membership goes (every
page and API call checks it), the API token is deleted (TokenAuthentication looks it up on
each request), and the password is made unusable, which changes the session auth hash
Django stores in each session, so every open browser session is flushed on its next request
(django.contrib.auth.get_user compares that hash). The account itself stays, inactive, so
the audit trail keeps naming who did what, and it is never reused: inviting the same
address again, here or in another organisation, makes a new account (`member_invite`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from questionnaires.audit.services import audit_record
from questionnaires.core.errors import Conflict, DomainError
from questionnaires.core.models import Membership, Organization
from questionnaires.core.notifications import email_later, members_who_want

Role = Membership.Role
ALL_ROLES = (Role.ADMIN, Role.REVIEWER, Role.COMPLIANCE)

# What a member can be emailed about, with the words the settings page shows. Absent from
# Membership.notifications means "send" (Membership.wants).
NOTIFICATION_KINDS: dict[str, str] = {
    "assessment_submitted": "A vendor submits a questionnaire",
    "assessment_decided": "A colleague requests clarification, approves or rejects an assessment",
    "remediation_answered": "A vendor answers a condition of an approval",
    "reassessment_issued": "A reassessment is issued because a vendor's cadence came round",
    "evidence_expiring": "Evidence a vendor gave expires within 30 days",
    "neutrality_changed": "A vendor's neutrality status changes, e.g. a competitor buys in "
                          "(administrators)",
}


def members_notify(*, organization: Organization, kind: str, template: str, context: dict,
                   exclude=None) -> list[str]:
    """Email every active member who did not turn `kind` off (after commit); `exclude` is
    the member who caused the event, who needs no email about their own action."""
    assert kind in NOTIFICATION_KINDS, f"unknown notification kind {kind!r}"
    skip = (exclude.email or "").lower() if exclude is not None and \
        getattr(exclude, "is_authenticated", False) else ""
    recipients = [address for address in members_who_want(organization, kind, roles=ALL_ROLES)
                  if address.lower() != skip]
    email_later(to=recipients, template=template, context=context)
    return recipients


def assessment_link(assessment_id) -> str:
    """The workspace page of an assessment, for members' emails (it needs a sign-in)."""
    return settings.SITE_URL + reverse("workspace:assessment-detail", args=[assessment_id])


def password_set_url(user) -> str:
    """A one-time link to choose a password (Django's reset token: it stops working once
    the password changes or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("workspace:member-set-password", args=[uid, token])


# Tries at a free username before giving up; each try draws 24 random bits, so a clash
# happens only under a race with another invitation.
USERNAME_TRIES = 5
USERNAME_MAX = 150  # django.contrib.auth's column


@transaction.atomic
def member_invite(*, organization: Organization, email: str, role: str, by,
                  username: str = "") -> Membership:
    """A new member with no usable password, emailed a link to choose one.

    Always a new account. An account with this address may exist elsewhere (a member of
    another organisation, or someone removed from one): its history belongs where it was,
    so reusing it would rename that organisation's reviewers and report authors. And the
    answer is the same whether or not the address or the username is known anywhere, so no
    administrator can learn who has an account in another organisation: a requested
    username already taken (usernames are unique per deployment) gets a random suffix.
    Only the organisation's own current members are named as such."""
    email = email.strip()
    if role not in ALL_ROLES:
        raise DomainError(f"expected one of {', '.join(ALL_ROLES)}", field="role")
    if Membership.objects.filter(organization=organization, user__email__iexact=email,
                                 user__is_active=True).exists():
        raise Conflict("this address is already a member of your organisation", field="email")
    user = _new_account(email=email, wanted=(username or email).strip().lower())
    username = user.get_username()
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    audit_record(organization=organization, action="member.invited", actor=by, obj=membership,
                 data={"email": email, "role": role, "username": username})
    email_later(to=[email], template="emails/workspace_member_invited",
                context={"organization": organization.name, "role": role,
                         "username": username, "url": password_set_url(user),
                         "invited_by": by.get_username() if by is not None else ""})
    return membership


def _new_account(*, email: str, wanted: str):
    """A fresh inactive-password account named `wanted`, or `wanted` with a random suffix
    when that name is taken (by anyone, in any organisation: the caller cannot tell)."""
    User = get_user_model()
    for attempt in range(USERNAME_TRIES):
        name = wanted[:USERNAME_MAX] if attempt == 0 else _suffixed(wanted)
        if User.objects.filter(username__iexact=name).exists():
            continue
        try:
            with transaction.atomic():  # a concurrent invitation may take it first
                user = User(username=name, email=email, is_active=True)
                user.set_unusable_password()
                user.save()
                return user
        except IntegrityError:
            continue
    raise Conflict("no free username could be found; choose another", field="username")


def _suffixed(wanted: str) -> str:
    suffix = "-" + secrets.token_hex(3)
    return wanted[:USERNAME_MAX - len(suffix)] + suffix


def _admins_left(organization: Organization, without: Membership) -> int:
    return (Membership.objects.filter(organization=organization, role=Role.ADMIN,
                                      user__is_active=True).exclude(pk=without.pk).count())


@transaction.atomic
def member_change_role(*, membership: Membership, role: str, by) -> Membership:
    if role not in ALL_ROLES:
        raise DomainError(f"expected one of {', '.join(ALL_ROLES)}", field="role")
    membership = Membership.objects.select_for_update().select_related("user").get(
        pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN and \
            _admins_left(membership.organization, membership) == 0:
        raise Conflict("the organisation needs at least one administrator", field="role")
    before, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    audit_record(organization=membership.organization, action="member.role_changed", actor=by,
                 obj=membership, data={"username": membership.user.get_username(),
                                       "from": before, "to": role})
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by) -> None:
    """End the member's access now: sessions, API token and membership (module note)."""
    membership = Membership.objects.select_for_update().select_related(
        "user", "organization").get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admins_left(membership.organization, membership) == 0:
        raise Conflict("the organisation needs at least one administrator", field=None)
    user = membership.user
    Token.objects.filter(user=user).delete()
    user.set_unusable_password()  # a new session auth hash: every open session is refused
    user.is_active = False        # and no backend authenticates the account any more
    user.save(update_fields=["password", "is_active"])
    organization = membership.organization
    audit_record(organization=organization, action="member.removed", actor=by, obj=membership,
                 data={"username": user.get_username(), "email": user.email,
                       "role": membership.role})
    membership.delete()


@transaction.atomic
def member_notifications_update(*, membership: Membership, wanted: set[str]) -> Membership:
    """Store a yes or no for every kind: those in `wanted` on, the others off."""
    unknown = wanted - set(NOTIFICATION_KINDS)
    if unknown:
        raise DomainError(f"unknown notification {sorted(unknown)[0]!r}", field="notifications")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.notifications = {kind: kind in wanted for kind in NOTIFICATION_KINDS}
    membership.save(update_fields=["notifications"])
    audit_record(organization=membership.organization, action="member.notifications_changed",
                 actor=membership.user, obj=membership,
                 data={"off": sorted(set(NOTIFICATION_KINDS) - wanted)})
    return membership
