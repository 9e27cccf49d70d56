"""Fixtures of the workspace tests: a template, scored assessments, logged-in clients for
each actor, and email that is really sent (eagerly, to the test outbox)."""

from __future__ import annotations

import pytest

from tests.support import workspace as builders


@pytest.fixture
def template(buyer_org):
    return builders.template_for(buyer_org)


@pytest.fixture
def submitted(buyer, vendor, template):
    """LabelWorks' risky answers, submitted and scored."""
    return builders.scored(organization=buyer.organization, vendor=vendor, template=template,
                           by=buyer.user)


def _client_for(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def buyer_client(buyer):
    return _client_for(buyer)


@pytest.fixture
def reviewer_client(colleague):
    return _client_for(colleague)


@pytest.fixture
def compliance_client(compliance):
    return _client_for(compliance)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


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
