"""API: ownership."""

urlpatterns: list = []
