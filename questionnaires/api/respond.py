"""API: respond."""

urlpatterns: list = []
