"""Who holds an invitation: from a portal session or an `Authorization: Invite` header.

A token reaches exactly one assessment. The portal exchanges it once (POST) for a session
that stores only the invitation's id; every request then re-checks that invitation, so
revoking a link, cancelling the assessment or passing the expiry ends its sessions too.
Bad tokens count against the caller's address through assessments/services/invite_limits.py, on both
doors alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.authentication import CSRFCheck

from questionnaires.assessments.models import Invitation
from questionnaires.assessments.services.invite_limits import (
    client_address,
    invite_bad_try_record,
    invite_is_blocked,
    invite_window_seconds,
)
from questionnaires.assessments.services.lifecycle import invitation_by_id, invitation_resolve

SESSION_KEY = "portal_invitation"
# One sentence for unknown, expired and revoked links alike: which one it was is exactly
# what someone guessing tokens would like to learn.
INVALID_LINK = ("This invitation link is not valid. It may have expired or been replaced by "
                "a newer one; ask the person who sent it for a new link.")
TOO_MANY = "Too many invalid invitation links from your network; try again in 15 minutes."
# Recording last use on every autosave would be a write per keystroke pause; this is enough
# for "when did the vendor last look".
TOUCH_EVERY = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class TokenCheck:
    invitation: Invitation | None
    blocked: bool


def check_token(token: str, meta: dict) -> TokenCheck:
    """Resolve a token; a good one always passes. A bad one counts against the caller's
    address, and once the address is blocked it is refused (429) without being counted
    or told anything more about the token it sent."""
    invitation = invitation_resolve(token)
    if invitation is not None:
        return TokenCheck(invitation, False)
    address = client_address(meta)
    if invite_is_blocked(address=address):
        return TokenCheck(None, True)
    invite_bad_try_record(address=address)
    return TokenCheck(None, False)


def touch(invitation: Invitation) -> None:
    now = timezone.now()
    if invitation.last_used_at is None or now - invitation.last_used_at > TOUCH_EVERY:
        Invitation.objects.filter(pk=invitation.pk).update(last_used_at=now)
        invitation.last_used_at = now


def session_login(request, invitation: Invitation) -> None:
    """Bind this browser session to one invitation. A new session key, so a session id
    planted before the exchange is worthless after it."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(invitation.pk)
    if not getattr(request, "user", AnonymousUser()).is_authenticated:
        # Nobody logged in on this browser: forget the portal when the browser closes;
        # the link opens it again until it expires.
        request.session.set_expiry(0)
    touch(invitation)


def session_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def session_invitation(request) -> Invitation | None:
    invitation_id = request.session.get(SESSION_KEY)
    if not invitation_id:
        return None
    invitation = invitation_by_id(invitation_id)
    if invitation is None:
        request.session.pop(SESSION_KEY, None)
    return invitation


def portal_required(view):
    """A portal page: the session's live invitation as `request.invitation`, or a page that
    says to open the link again (403: nothing here is someone else's, just not open)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        invitation = session_invitation(request)
        if invitation is None:
            return render(request, "portal/no_session.html", status=403)
        request.invitation = invitation
        request.assessment = invitation.assessment
        touch(invitation)
        return view(request, *args, **kwargs)
    return wrapper


# --- DRF ------------------------------------------------------------------------------------
class InviteAuthentication(authentication.BaseAuthentication):
    """`Authorization: Invite <token>`: request.auth is the Invitation, request.user stays
    anonymous (a respondent is nobody's member and must match no membership check)."""

    keyword = "invite"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(INVALID_LINK)
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            token = ""
        result = check_token(token, request.META)
        if result.blocked:
            raise exceptions.Throttled(wait=invite_window_seconds(), detail=TOO_MANY)
        if result.invitation is None:
            raise exceptions.AuthenticationFailed(INVALID_LINK)
        touch(result.invitation)
        return AnonymousUser(), result.invitation

    def authenticate_header(self, request) -> str:
        return 'Invite realm="respond"'


class PortalSessionAuthentication(authentication.BaseAuthentication):
    """The portal's session, for its own scripts; CSRF-checked like DRF's session auth,
    because a cookie is sent by the browser whoever made the page asking."""

    def authenticate(self, request):
        invitation = session_invitation(request._request)
        if invitation is None:
            return None
        self._enforce_csrf(request)
        touch(invitation)
        return AnonymousUser(), invitation

    def _enforce_csrf(self, request) -> None:
        check = CSRFCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise exceptions.PermissionDenied(f"CSRF Failed: {reason}")


class HoldsInvitation(permissions.BasePermission):
    message = INVALID_LINK

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Invitation)


class InviteAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = InviteAuthentication
    name = "inviteAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Invite <token>`: the last path segment of the invite URL."}


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = PortalSessionAuthentication
    name = "portalSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The vendor portal's session, opened from an invite link."}
