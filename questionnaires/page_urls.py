"""The workspace's pages: the dashboard and exports here, each domain's pages included."""

from django.urls import path

from questionnaires.audit import urls as urls_audit
from questionnaires.authoring import urls as urls_templates
from questionnaires.core import members_urls as urls_members
from questionnaires.ownership.pages import urls as urls_vendors
from questionnaires.portfolio import pages as views
from questionnaires.review import urls as urls_assessments
from questionnaires.scoring import urls as urls_scenarios

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("portfolio/export.csv", views.portfolio_export, {"fmt": "csv"},
         name="portfolio-export-csv"),
    path("portfolio/export.xlsx", views.portfolio_export, {"fmt": "xlsx"},
         name="portfolio-export-xlsx"),
    *urls_templates.urlpatterns,
    *urls_vendors.urlpatterns,
    *urls_assessments.urlpatterns,
    *urls_audit.urlpatterns,
    *urls_members.urlpatterns,
    *urls_scenarios.urlpatterns,
]
