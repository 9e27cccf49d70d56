"""Loading the built-in library: idempotent, versioned by content, all or nothing."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from questionnaires.authoring.importers import ImportFailed
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.library import LIBRARY_DIR, library_load
from tests.support.templates import template_rows

pytestmark = pytest.mark.django_db

RECHECK = "rapid-neutrality-recheck.yaml"


def test_every_library_file_becomes_a_published_template_of_no_organisation():
    entries = library_load()
    assert sorted(entry.path.name for entry in entries) == sorted(
        path.name for path in LIBRARY_DIR.glob("*.yaml"))
    for entry in entries:
        assert entry.created
        template = entry.template
        assert template.organization is None
        assert (template.status, template.version, template.source_format) == (
            "published", 1, "native")
        assert template.questions.exists() and template.published_at is not None


def test_loading_the_library_twice_adds_nothing():
    library_load()
    before = template_rows()
    again = library_load()
    assert not any(entry.created for entry in again)
    assert template_rows() == before


def test_a_changed_library_file_becomes_the_next_version_and_archives_the_older(tmp_path):
    shutil.copy(LIBRARY_DIR / RECHECK, tmp_path / RECHECK)
    [first] = library_load(directory=tmp_path)
    text = (tmp_path / RECHECK).read_text()
    (tmp_path / RECHECK).write_text(text.replace('\nname: "', '\nname: "Revised: ', 1))
    [second] = library_load(directory=tmp_path)
    assert second.created and second.template.version == first.template.version + 1
    assert second.template.name.startswith("Revised: ")
    first.template.refresh_from_db()
    assert first.template.status == "archived"
    assert second.template.status == "published"
    [third] = library_load(directory=tmp_path)
    assert not third.created and third.template == second.template


def test_a_broken_library_file_loads_nothing_at_all(tmp_path):
    shutil.copy(LIBRARY_DIR / RECHECK, tmp_path / RECHECK)
    (tmp_path / "zz-broken.yaml").write_text(
        "format: diligence/v1\nkey: broken\nname: Broken\nsections: []\n")
    with pytest.raises(ImportFailed) as failed:
        library_load(directory=tmp_path)
    assert failed.value.errors[0]["file"] == "zz-broken.yaml"
    assert template_rows() == (0, 0, 0)


def test_load_library_command_reports_loaded_then_unchanged():
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert out.getvalue().count(" loaded ") == len(list(LIBRARY_DIR.glob("*.yaml")))
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert " loaded " not in out.getvalue() and "unchanged" in out.getvalue()
    assert Template.objects.filter(organization__isnull=True).count() == len(
        list(LIBRARY_DIR.glob("*.yaml")))


def test_load_library_command_fails_with_located_problems(tmp_path):
    (tmp_path / "bad.yaml").write_text("format: diligence/v1\nkey: Bad Key\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="not loaded"):
        call_command("load_library", "--directory", str(tmp_path), stdout=io.StringIO(),
                     stderr=err)
    assert "bad.yaml: line 2: key: \"Bad Key\" is not a valid key" in err.getvalue()
    assert template_rows() == (0, 0, 0)
