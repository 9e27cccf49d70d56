"""`migrate` loads (and updates) the built-in library, so every deployment path has it: the
README's migrate + create_organization, compose's `migrate` service, make run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from questionnaires.authoring.models import Template
from questionnaires.authoring.services.library import LIBRARY_DIR
from tests.support.templates import template_rows

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_KEYS = sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml"))


def library_keys() -> list[str]:
    return sorted(Template.objects.filter(organization__isnull=True, status="published")
                  .values_list("key", flat=True))


@pytest.mark.django_db
def test_migrating_the_test_database_loads_the_library_and_a_second_run_changes_nothing(
        settings):
    assert library_keys() == []  # the suite's database is migrated with the load off
    settings.LIBRARY_LOAD_ON_MIGRATE = True
    call_command("migrate", verbosity=0)
    assert library_keys() == LIBRARY_KEYS
    before = template_rows()
    call_command("migrate", verbosity=0)
    assert template_rows() == before


@pytest.mark.django_db
def test_the_load_can_be_turned_off(settings):
    settings.LIBRARY_LOAD_ON_MIGRATE = False
    call_command("migrate", verbosity=0)
    assert library_keys() == []


SCRIPT = r'''
import django
django.setup()
from django.core.management import call_command
from questionnaires.authoring.models import Question, Template

def rows():
    return sorted(Template.objects.filter(organization=None).values_list("key", "version",
                                                                          "status"))

call_command("migrate", verbosity=0)
first, questions = rows(), Question.objects.count()
call_command("migrate", verbosity=0)
assert rows() == first and Question.objects.count() == questions, "the second run changed rows"
call_command("create_organization", "Acme", "--kind", "buyer", "--admin", "ada",
             "--email", "ada@acme.example", verbosity=0)
from questionnaires.authoring.services.library import templates_visible
from questionnaires.core.models import Organization
buyer = Organization.objects.get(name="Acme")
print("LIBRARY", ",".join(sorted(templates_visible(organization=buyer)
                                 .filter(status="published").values_list("key", flat=True))))
'''


def test_a_fresh_deployment_has_the_library_after_migrate(tmp_path):
    """The README's path on an empty database, in a process with the real settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                        "LIBRARY_LOAD_ON_MIGRATE")}
    env.update({"DJANGO_SETTINGS_MODULE": "diligence.settings", "SECRET_KEY": "s" * 60,
                "DILIGENCE_VAR_DIR": str(tmp_path), "DILIGENCE_PASSWORD": "a long passphrase 9",
                "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3"})
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert f"LIBRARY {','.join(LIBRARY_KEYS)}" in result.stdout
