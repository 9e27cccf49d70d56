"""Workspace pages: a vendor's assessments, reviewing one."""

from django.urls import path

from questionnaires.review import pages

urlpatterns: list = [
    path("vendors/<uuid:pk>/assessments/", pages.vendor_assessments, name="vendor-assessments"),
    path("assessments/<uuid:pk>/", pages.assessment_detail, name="assessment-detail"),
    path("assessments/<uuid:pk>/decision/", pages.assessment_decide, name="assessment-decide"),
    path("assessments/<uuid:pk>/start-review/", pages.assessment_start_review,
         name="assessment-start-review"),
    path("assessments/<uuid:pk>/questions/<str:key>/comments/", pages.assessment_comment,
         name="assessment-comment"),
    path("assessments/<uuid:pk>/evidence/<uuid:evidence_id>/expiry/", pages.evidence_expiry,
         name="assessment-evidence-expiry"),
    path("assessments/<uuid:pk>/conditions/<uuid:item_id>/close/", pages.condition_close,
         name="assessment-condition-close"),
    path("assessments/<uuid:pk>/reports/", pages.assessment_reports, name="assessment-reports"),
]
