"""Workspace pages: vendors."""

urlpatterns: list = []
