"""Resolve the caller's membership: the one place that decides whose data a request sees."""

from __future__ import annotations


def membership_of(request):
    """The caller's active Membership or None, cached on the user object for the request.

    DRF authenticates tokens after Django's middleware has run, so this resolves lazily
    against whichever user authentication settled on rather than in a middleware.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_diligence_membership", False)
    if cached is False:
        from questionnaires.core.models import Membership

        cached = (Membership.objects.select_related("organization")
                  .filter(user=user, user__is_active=True).first())
        user._diligence_membership = cached
    return cached
