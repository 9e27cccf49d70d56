"""Two buyers' colleagues recording stakes in the same vendor at the same moment: the
registry lock lets one at a time see the totals, so together they never pass 100%."""

import threading

import pytest
from django.db import connection

from questionnaires.core.errors import DomainError
from questionnaires.ownership.models import Stake
from questionnaires.ownership.services.stakes import StakeInput, vendor_stake_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_stakes_that_together_pass_100_percent_cannot_both_be_recorded(
        buyer, colleague, no_recheck, vendor):
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def record(holder: str, user) -> None:
        try:
            start.wait(timeout=10)
            vendor_stake_record(vendor=vendor, data=StakeInput(holder=holder, percent=60),
                                by=user)
            outcomes.append("recorded")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=("Founders Trust", buyer.user)),
               threading.Thread(target=record, args=("Orbital Dynamics", colleague.user))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("recorded") == 1, outcomes
    [refused] = [outcome for outcome in outcomes if outcome != "recorded"]
    assert "would total 120.0%" in refused
    assert Stake.objects.count() == 1
