"""Fixtures for the template area: the loaded library and templates of each tenant."""

from __future__ import annotations

import json

import pytest

from tests.support.templates import minimal_spec


@pytest.fixture
def library(db):
    """The built-in library, loaded as `manage.py load_library` does; key -> template."""
    from questionnaires.authoring.services.library import library_load

    return {entry.template.key: entry.template for entry in library_load()}


@pytest.fixture
def own_template(buyer):
    """A published template of the buyer's organisation."""
    from questionnaires.authoring.importers import load_native
    from questionnaires.authoring.services.templates import template_create

    spec = load_native(json.dumps(minimal_spec()))
    return template_create(spec=spec, organization=buyer.organization, source_format="native",
                           created_by=buyer.user)


@pytest.fixture
def own_draft(own_template, buyer):
    from questionnaires.authoring.services.templates import template_clone

    return template_clone(template=own_template, organization=buyer.organization, by=buyer.user)


@pytest.fixture
def outsider_template(outsider):
    from questionnaires.authoring.importers import load_native
    from questionnaires.authoring.services.templates import template_create

    spec = load_native(json.dumps(minimal_spec("orbital-secret", name="Orbital's own")))
    return template_create(spec=spec, organization=outsider.organization,
                           source_format="native")

