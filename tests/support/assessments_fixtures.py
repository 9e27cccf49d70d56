"""The default questionnaire of the buyer (two sections, flags of two severities) and
LabelWorks' risky answers to it, submitted and scored: what the review, audit, portfolio,
reassessment and access tests start from. A folder whose tests need another questionnaire
overrides `template` in its conftest (the issuing and portal folders do)."""

from __future__ import annotations

import pytest

from tests.support import assessments as builders


@pytest.fixture
def template(buyer_org):
    return builders.template_for(buyer_org)


@pytest.fixture
def submitted(buyer, vendor, template):
    """LabelWorks' risky answers, submitted and scored."""
    return builders.scored(organization=buyer.organization, vendor=vendor, template=template,
                           by=buyer.user)
