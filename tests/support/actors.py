"""The actors every tenancy test needs (a buyer, colleagues in its organisation, an
outsider who must see nothing, a vendor), API clients and logged-in page clients for each,
and email that is really sent. Registered as a plugin in tests/conftest.py."""

from __future__ import annotations

import pytest


# --- Actors ----------------------------------------------------------------------------------
@pytest.fixture
def buyer_org(db):
    from tests.support.factories import OrganizationFactory

    return OrganizationFactory(name="Acme Labs")


@pytest.fixture
def buyer(buyer_org):
    """An admin of the buyer organisation."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="admin", user__username="alice")


@pytest.fixture
def colleague(buyer_org):
    """A reviewer in the same organisation as `buyer`."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="reviewer", user__username="rob")


@pytest.fixture
def compliance(buyer_org):
    """A compliance officer: reads everything of the organisation, changes nothing."""
    from tests.support.factories import MembershipFactory

    return MembershipFactory(organization=buyer_org, role="compliance", user__username="cora")


@pytest.fixture
def outsider(db):
    """An admin of another buyer organisation, who must see nothing of Acme Labs."""
    from tests.support.factories import MembershipFactory, OrganizationFactory

    return MembershipFactory(organization=OrganizationFactory(name="Orbital Dynamics"),
                             role="admin", user__username="mallory")


@pytest.fixture
def vendor(buyer_org):
    from tests.support.factories import VendorFactory

    return VendorFactory(organization=buyer_org, name="LabelWorks")


def api_client_for(membership):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if membership is not None:
        token, _ = Token.objects.get_or_create(user=membership.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(buyer):
    return api_client_for(buyer)


@pytest.fixture
def outsider_api(outsider):
    return api_client_for(outsider)


@pytest.fixture
def anonymous_api():
    from rest_framework.test import APIClient

    return APIClient()



def page_client_for(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def buyer_client(buyer):
    return page_client_for(buyer)


@pytest.fixture
def reviewer_client(colleague):
    return page_client_for(colleague)


@pytest.fixture
def compliance_client(compliance):
    return page_client_for(compliance)


@pytest.fixture
def outsider_client(outsider):
    return page_client_for(outsider)


@pytest.fixture
def sent_mail(mailoutbox, django_capture_on_commit_callbacks):
    """Run the email tasks in this process when their transaction commits; yields the
    outbox. Use as `with sent_mail() as outbox:` around the action."""
    from diligence.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def capture():
        return _Capture(django_capture_on_commit_callbacks, mailoutbox)

    yield capture
    app.conf.task_always_eager = was


class _Capture:
    def __init__(self, capture, outbox):
        self._context = capture(execute=True)
        self.outbox = outbox

    def __enter__(self):
        self._context.__enter__()
        return self.outbox

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)
