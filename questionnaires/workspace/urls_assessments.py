"""Workspace pages: assessments."""

urlpatterns: list = []
