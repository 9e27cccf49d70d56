"""Fixtures of the scoring-in-Celery tests. The private Redis, the workers and the way to
kill them are shared with the report tests, in tests/support/workers.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_invitation_email(monkeypatch):
    """Issuing emails each respondent after commit; these tests are about scoring."""
    from questionnaires.assessments.services import lifecycle as assessments

    monkeypatch.setattr(assessments, "email_later", lambda **kwargs: None)
