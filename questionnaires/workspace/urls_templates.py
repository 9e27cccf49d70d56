"""Workspace pages: templates."""

urlpatterns: list = []
