"""API: scores."""

urlpatterns: list = []
