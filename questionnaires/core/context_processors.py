"""Template context shared by every page: who is looking and what they may reach."""

from questionnaires.core.tenancy import membership_of


def navigation(request):
    membership = membership_of(request)
    return {
        "membership": membership,
        "organization": membership.organization if membership else None,
        "role": membership.role if membership else None,
        "can_write": bool(membership and membership.can_write),
    }
