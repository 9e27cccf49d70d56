"""Fixtures for issuing and the vendor portal: a small native questionnaire, an issued
assessment with its token, and clients holding an invitation (API header or portal session).

Not a global plugin: `template` here is the portal's questionnaire, not the default one of
tests/support/assessments_fixtures.py, so the issuing, portal and upload folders take these
with `from tests.support.portal_fixtures import *` in their conftest."""

from __future__ import annotations

import pytest

from tests.support.portal import SMALL_SPEC, Issued, invite_client, issue, open_portal, spec_template

__all__ = ["_fresh_invite_limit", "template", "issued", "respond", "portal", "other_issued",
           "private_storage"]


@pytest.fixture(autouse=True)
def _fresh_invite_limit():
    """Bad tries are counted per address in Redis, shared by every test from 127.0.0.1."""
    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset

    invite_bad_tries_reset(address="127.0.0.1")
    yield
    invite_bad_tries_reset(address="127.0.0.1")


@pytest.fixture
def template(buyer_org):
    return spec_template(SMALL_SPEC, buyer_org)


@pytest.fixture
def issued(buyer, vendor, template) -> Issued:
    return issue(organization=buyer.organization, vendor=vendor, template=template,
                 by=buyer.user)


@pytest.fixture
def respond(issued):
    """The respond API as the vendor holding `issued`'s link."""
    return invite_client(issued.token)


@pytest.fixture
def portal(client, issued):
    return open_portal(client, issued.token)


@pytest.fixture
def other_issued(db):
    """A second buyer's assessment of a second vendor: nothing of it may leak to `issued`."""
    from tests.support.factories import MembershipFactory, OrganizationFactory, VendorFactory

    organization = OrganizationFactory(name="Beta Buyer")
    member = MembershipFactory(organization=organization, role="admin", user__username="bob")
    vendor = VendorFactory(organization=organization, name="Annotada")
    template = spec_template(SMALL_SPEC, organization)
    return issue(organization=organization, vendor=vendor, template=template, by=member.user,
                 email="ana@annotada.test")


@pytest.fixture
def private_storage(settings, tmp_path):
    """Private files (evidence, reports) in this test's own folder, to see what was written."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path
