"""Page decorators: a member of a buyer organisation, optionally with a role that writes."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from questionnaires.core.tenancy import membership_of


def member_required(view=None, *, write: bool = False, admin: bool = False):
    def decorate(func):
        @login_required
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            membership = membership_of(request)
            if membership is None:
                raise PermissionDenied("You are not a member of any organisation.")
            if admin and not membership.is_admin:
                raise PermissionDenied("Only an administrator may do this.")
            if write and not membership.can_write:
                raise PermissionDenied("Your role may read but not change this.")
            request.membership = membership
            return func(request, *args, **kwargs)
        return wrapper
    return decorate(view) if view is not None else decorate
