"""Workspace pages for vendors and the registry (interface)."""
