"""Organisations and their members."""

from django.contrib.auth import get_user_model
from django.db import transaction

from questionnaires.audit.services import audit_record
from questionnaires.core.errors import DomainError
from questionnaires.core.models import Membership, Organization


@transaction.atomic
def organization_create(*, name: str, kind: str, admin_username: str, admin_email: str,
                        password: str) -> tuple[Organization, Membership]:
    """A fresh organisation with its first admin: how a deployment gets its first user."""
    if kind not in Organization.Kind.values:
        raise DomainError(f"kind must be one of {', '.join(Organization.Kind.values)}",
                          field="kind")
    if Organization.objects.filter(name__iexact=name).exists():
        raise DomainError(f"an organisation named {name!r} already exists", field="name")
    User = get_user_model()
    if User.objects.filter(username=admin_username).exists():
        raise DomainError(f"the username {admin_username!r} is taken", field="admin")
    organization = Organization.objects.create(name=name, kind=kind)
    user = User.objects.create_user(username=admin_username, email=admin_email,
                                    password=password)
    membership = Membership.objects.create(user=user, organization=organization,
                                           role=Membership.Role.ADMIN)
    audit_record(organization=organization, action="organization.created", obj=organization,
                 actor_label="command line", data={"admin": admin_username})
    return organization, membership
