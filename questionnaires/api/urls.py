"""Version 1 of the public HTTP contract (../shared/API.md). One module per area."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import assessments, auth, ownership, reports, respond, review, scores, templates, vendors

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("vendors", vendors.VendorViewSet, basename="vendor")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    *templates.urlpatterns,
    *assessments.urlpatterns,
    *respond.urlpatterns,
    *ownership.urlpatterns,
    *scores.urlpatterns,
    *reports.urlpatterns,
    *review.urlpatterns,
    path("", include(router.urls)),
]
