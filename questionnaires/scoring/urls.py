"""Workspace pages: custom stress-test scenarios."""

from django.urls import path

from questionnaires.scoring import pages

urlpatterns: list = [
    path("scenarios/", pages.scenarios_list, name="scenarios-list"),
    path("scenarios/new/", pages.scenario_new, name="scenarios-new"),
    path("scenarios/<uuid:pk>/", pages.scenario_edit, name="scenarios-edit"),
    path("scenarios/<uuid:pk>/delete/", pages.scenario_delete_page, name="scenarios-delete"),
]
