"""Version 1 of the public HTTP contract (../shared/API.md)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import auth, vendors

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("vendors", vendors.VendorViewSet, basename="vendor")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("", include(router.urls)),
]
