"""Workspace pages: vendors, their ownership and neutrality, competitors, settings."""

from django.urls import path

from questionnaires.ownership.pages import vendors as pages

urlpatterns: list = [
    path("vendors/", pages.vendors_list, name="vendors-list"),
    path("vendors/new/", pages.vendor_create_page, name="vendors-create"),
    path("vendors/competitors/", pages.competitors_page, name="vendors-competitors"),
    path("vendors/competitors/<uuid:pk>/edit/", pages.competitor_edit_page,
         name="vendors-competitor-edit"),
    path("vendors/competitors/<uuid:pk>/delete/", pages.competitor_delete_page,
         name="vendors-competitor-delete"),
    path("vendors/neutrality-settings/", pages.neutrality_settings_page,
         name="vendors-settings"),
    path("vendors/<uuid:pk>/", pages.vendor_detail, name="vendors-detail"),
    path("vendors/<uuid:pk>/edit/", pages.vendor_edit_page, name="vendors-edit"),
    path("vendors/<uuid:pk>/delete/", pages.vendor_delete_page, name="vendors-delete"),
    path("vendors/<uuid:pk>/stakes/", pages.vendor_stake_add, name="vendors-stake-add"),
    path("vendors/<uuid:pk>/stakes/<uuid:stake_pk>/dispose/", pages.vendor_stake_dispose,
         name="vendors-stake-dispose"),
]
