"""Vendor portal URLs (invitation links, answering)."""

app_name = "portal"
urlpatterns: list = []
