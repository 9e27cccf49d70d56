from django.urls import path

from . import urls_assessments, urls_audit, urls_members, urls_scenarios, urls_templates, urls_vendors, views

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *urls_templates.urlpatterns,
    *urls_vendors.urlpatterns,
    *urls_assessments.urlpatterns,
    *urls_audit.urlpatterns,
    *urls_members.urlpatterns,
    *urls_scenarios.urlpatterns,
]
