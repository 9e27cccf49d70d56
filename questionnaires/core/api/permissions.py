"""Who may call the buyer API: members of a buyer organisation, by role."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from questionnaires.core.tenancy import membership_of


class IsMember(BasePermission):
    """Authenticated and belonging to an organisation; compliance may only read."""

    message = "Your role may read this organisation's data but not change it."

    def has_permission(self, request, view) -> bool:
        membership = membership_of(request)
        if membership is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        return membership.can_write


class IsAdmin(BasePermission):
    message = "Only an administrator of the organisation may do this."

    def has_permission(self, request, view) -> bool:
        membership = membership_of(request)
        return membership is not None and membership.is_admin
