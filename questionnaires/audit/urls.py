"""Workspace pages: the audit trail."""

from django.urls import path

from questionnaires.audit import pages

urlpatterns: list = [
    path("audit/", pages.audit_list, name="audit"),
    path("audit/export.csv", pages.audit_export, name="audit-export"),
    path("audit/verify/", pages.audit_check, name="audit-verify"),
]
