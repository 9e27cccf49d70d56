"""`make run`'s embedded default (SQLite, tasks in-process) works end to end.

The rest of the suite runs on PostgreSQL; this proves the demo loads and every read-only
page a buyer opens renders on SQLite too, in a separate process with its own settings."""

import os
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

SCRIPT = r'''
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.contrib.auth.models import User
from questionnaires.models import Assessment, Report, Template, Vendor

call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)  # as make run does
call_command("demo")
call_command("demo")  # idempotent: a second run adds nothing and fails on nothing
assert Assessment.objects.count() >= 1, "the demo issued no assessment"
assert Report.objects.filter(status="ready").count() == 1, "exactly one ready report"
client = Client()
client.force_login(User.objects.get(username="alice"))
vendor = Vendor.objects.get(name="LabelWorks")
assessment = Assessment.objects.filter(vendor=vendor).order_by("created_at").first()
template = Template.objects.filter(organization=None).first()
pages = [reverse("workspace:dashboard"), reverse("workspace:vendors-list"),
         reverse("workspace:vendors-detail", args=[vendor.pk]),
         reverse("workspace:vendor-assessments", args=[vendor.pk]),
         reverse("workspace:assessment-detail", args=[assessment.pk]),
         reverse("workspace:templates-list"),
         reverse("workspace:templates-detail", args=[template.pk]),
         reverse("workspace:audit"), reverse("workspace:scenarios-list"),
         reverse("workspace:portfolio-export-csv"), "/api/v1/vendors/", "/healthz"]
for page in pages:
    status = client.get(page).status_code
    assert status == 200, f"{page} answered {status}"
dashboard = client.get(reverse("workspace:dashboard")).content.decode()
assert "(previous)" not in dashboard, "the current cycle's score shown as a previous one"
print("PAGES OK", len(pages))
'''


# About 150 s (migrate, collectstatic and the demo twice, in a new process): make test runs it,
# make test-fast leaves it out of the inner loop.
@pytest.mark.deploy
def test_the_demo_and_every_buyer_page_work_on_sqlite_with_in_process_tasks(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": "diligence.settings", "SECRET_KEY": "s" * 60,
                "SECURE_COOKIES": "false", "DILIGENCE_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path}/embedded.sqlite3"})
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "PAGES OK" in result.stdout
    assert "PDF report:" in result.stdout
