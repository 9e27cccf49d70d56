"""Workspace pages: audit."""

urlpatterns: list = []
