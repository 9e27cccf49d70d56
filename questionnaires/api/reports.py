"""API: reports."""

urlpatterns: list = []
