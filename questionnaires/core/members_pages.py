"""Members of the organisation (admins invite, change roles, remove; everyone reads) and
each member's own notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from questionnaires.assessments.services.reassessment import cadence_update
from questionnaires.core.decorators import member_required
from questionnaires.core.errors import DomainError
from questionnaires.core.members import (
    member_change_role,
    member_invite,
    member_notifications_update,
    member_remove,
)
from questionnaires.core.members_forms import CadenceForm, InviteForm, NotificationsForm, RoleForm
from questionnaires.core.models import Membership


def _member(request, pk) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"),
                             organization=request.membership.organization, pk=pk)


def _members_page(request, form, status=200):
    members = (Membership.objects.filter(organization=request.membership.organization)
               .select_related("user").order_by("user__username"))
    return render(request, "workspace/members.html", {
        "members": members, "form": form, "roles": Membership.Role.choices,
    }, status=status)


@require_http_methods(["GET"])
@member_required
def members_list(request):
    return _members_page(request, InviteForm())


@require_POST
@member_required(admin=True)
def member_invite_page(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = member_invite(organization=request.membership.organization,
                                   email=data["email"], role=data["role"],
                                   username=data["username"], by=request.user)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return _members_page(request, form, status=error.status_code)
        messages.success(request, f"Invited {member.user.email} as "
                                  f"{member.user.get_username()}: they were emailed a link "
                                  "to choose a password.")
        return redirect("workspace:members")
    return _members_page(request, form, status=400)


@require_POST
@member_required(admin=True)
def member_role_page(request, pk):
    member = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("workspace:members")
    try:
        member_change_role(membership=member, role=form.cleaned_data["role"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{member.user.get_username()} is now "
                                  f"{form.cleaned_data['role']}.")
    return redirect("workspace:members")


@require_POST
@member_required(admin=True)
def member_remove_page(request, pk):
    member = _member(request, pk)
    name = member.user.get_username()
    try:
        member_remove(membership=member, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {name}: their sessions and API token no longer work.")
    return redirect("workspace:members")


@require_http_methods(["GET", "POST"])
@member_required
def notifications_page(request):
    """A member's own email preferences: any role may change its own."""
    membership = request.membership
    form = NotificationsForm(request.POST if request.method == "POST" else None,
                             membership=membership)
    if request.method == "POST" and form.is_valid():
        member_notifications_update(membership=membership, wanted=form.wanted())
        messages.success(request, "Notification settings saved.")
        return redirect("workspace:notifications")
    return render(request, "workspace/notifications.html", {"form": form})


@require_http_methods(["GET", "POST"])
@member_required
def cadence_page(request):
    """How often vendors are reassessed: everyone reads it, admins change it."""
    organization = request.membership.organization
    if request.method == "POST" and not request.membership.is_admin:
        raise PermissionDenied("Only an administrator may change the cadence.")
    form = CadenceForm(request.POST if request.method == "POST" else None,
                       organization=organization)
    if request.method == "POST" and form.is_valid():
        cadence_update(organization=organization, months=form.cleaned_data, by=request.user)
        messages.success(request, "Reassessment cadence saved.")
        return redirect("workspace:cadence")
    return render(request, "workspace/cadence.html", {"form": form},
                  status=400 if form.errors else 200)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link an invited member receives: choose a password, then sign in."""

    template_name = "workspace/set_password.html"
    success_url = reverse_lazy("login")
    reset_url_token = "choose-password"  # noqa: S105 - a URL segment, not a secret

    def form_valid(self, form):
        messages.success(self.request, "Password set. Sign in with your username.")
        return super().form_valid(form)
