"""Workspace pages: templates."""

from django.urls import path

from questionnaires.authoring import pages

urlpatterns: list = [
    path("templates/", pages.templates_list, name="templates-list"),
    path("templates/import/", pages.template_import_page, name="templates-import"),
    path("templates/<uuid:pk>/", pages.template_detail, name="templates-detail"),
    path("templates/<uuid:pk>/export/<slug:fmt>/", pages.template_export_page,
         name="templates-export"),
    path("templates/<uuid:pk>/clone/", pages.template_clone_page, name="templates-clone"),
    path("templates/<uuid:pk>/edit/", pages.template_edit, name="templates-edit"),
    path("templates/<uuid:pk>/publish/", pages.template_publish_page, name="templates-publish"),
]
