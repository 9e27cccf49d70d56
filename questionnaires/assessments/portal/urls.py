"""Vendor portal URLs (invitation links, answering)."""

from django.urls import path

from questionnaires.assessments.portal import files, views

app_name = "portal"
urlpatterns = [
    # The invitation link itself: the token is the last path segment (API.md).
    path("invite/<str:token>", views.invite, name="invite"),
    path("portal/", views.home, name="home"),
    path("portal/section/<str:key>/", views.section, name="section"),
    path("portal/answers/<str:key>/", views.answer, name="answer"),
    path("portal/evidence/", files.upload, name="evidence_upload"),
    path("portal/evidence/<uuid:evidence_id>/", files.download, name="evidence_download"),
    path("portal/review/", views.review, name="review"),
    path("portal/submit/", views.submit, name="submit"),
    path("portal/receipt/", views.receipt, name="receipt"),
    path("portal/colleagues/", views.colleagues, name="colleagues"),
    path("portal/leave/", views.leave, name="leave"),
]
