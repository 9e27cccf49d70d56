"""Shared helpers of the template-area tests: the VSAQ files with their expected counts,
uploads and a small valid native spec.

Expected counts for the VSAQ files were worked out from the files themselves, not from
the importer: a section is a block that directly holds items; a question is any item that
is neither a block nor a spacer (VSAQ tips become info questions).
- webapp.json: 9 such blocks; 133 items (55 tip, 37 radiogroup, 15 box, 11 line,
  10 checkgroup, 5 info).
- test_template.json: 3 blocks (network: info + checkgroup; data: check + tip; final:
  check) -> 3 sections, 5 questions; its extension inserts one block with one line after
  "network" -> 4 sections, 6 questions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.paths import VSAQ_DIR

WEBAPP = VSAQ_DIR / "webapp.json"
TEST_TEMPLATE = VSAQ_DIR / "test_template.json"
EXTENSION = VSAQ_DIR / "test_template_extension.json"

# (base file, extension files, sections, questions)
VSAQ_CASES = [
    pytest.param(WEBAPP, [], 9, 133, id="webapp"),
    pytest.param(TEST_TEMPLATE, [], 3, 5, id="test_template"),
    pytest.param(TEST_TEMPLATE, [EXTENSION], 4, 6, id="test_template+extension"),
]
LIBRARY_MAIN = "ai-labeling-neutrality"


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def minimal_spec(key: str = "mini", **changes) -> dict:
    """A small valid native spec: one section, a yes/no and a choice that depends on it."""
    spec = {
        "format": "diligence/v1", "key": key, "name": "Mini questionnaire",
        "sections": [{
            "key": "basics", "title": "Basics", "weight": 2,
            "questions": [
                {"key": "has_soc2", "text": "Do you hold a SOC 2 Type II report?",
                 "kind": "yes_no", "required": True, "weight": 3},
                {"key": "soc2_scope", "text": "What does the report cover?",
                 "kind": "single_choice", "show_if": "has_soc2 == \"yes\"",
                 "options": [{"key": "all", "label": "All services", "score": 1.0},
                             {"key": "some", "label": "Some services", "score": 0.5}]},
                {"key": "notes", "text": "Anything else?", "kind": "long_text", "weight": 0},
            ],
        }],
    }
    spec.update(changes)
    return spec



def template_rows() -> tuple[int, int, int]:
    """How many Template, Section and Question rows exist."""
    from questionnaires.authoring.models import Question, Section, Template

    return Template.objects.count(), Section.objects.count(), Question.objects.count()
