"""API: templates."""

urlpatterns: list = []
