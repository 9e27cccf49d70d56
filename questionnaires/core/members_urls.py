"""Workspace pages: members, notification settings, the reassessment cadence, and the
invited member's first password."""

from django.urls import path

from questionnaires.core import members_pages as pages

urlpatterns: list = [
    path("settings/members/", pages.members_list, name="members"),
    path("settings/members/invite/", pages.member_invite_page, name="member-invite"),
    path("settings/members/<uuid:pk>/role/", pages.member_role_page, name="member-role"),
    path("settings/members/<uuid:pk>/remove/", pages.member_remove_page, name="member-remove"),
    path("settings/notifications/", pages.notifications_page, name="notifications"),
    path("settings/reassessment/", pages.cadence_page, name="cadence"),
    path("welcome/<uidb64>/<token>/", pages.SetPasswordView.as_view(),
         name="member-set-password"),
]
