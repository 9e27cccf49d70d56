"""Version 1 of the public HTTP contract (../shared/API.md). One module per area."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from questionnaires.assessments.api import issuing as assessments
from questionnaires.assessments.api import respond
from questionnaires.authoring import api as templates
from questionnaires.core.api import auth
from questionnaires.ownership.api import registry as ownership
from questionnaires.ownership.api import vendors
from questionnaires.reports import api as reports
from questionnaires.review import api as review
from questionnaires.scoring import api as scores

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
