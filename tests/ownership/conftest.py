"""Fixtures of the vendors-and-neutrality tests: a declared competitor, and automatic
re-checks turned off."""

from __future__ import annotations

import pytest

from tests.support.ownership import declare


@pytest.fixture
def orbital(api, buyer):
    """The buyer's declared competitor, declared through the API."""
    return declare(api, "Orbital Dynamics", "Orbital AI")


@pytest.fixture
def no_recheck(buyer_org):
    """Automatic re-checks off: tests about the analysis need no questionnaire library."""
    buyer_org.settings = {**buyer_org.settings, "auto_recheck": False}
    buyer_org.save(update_fields=["settings"])
    return buyer_org
