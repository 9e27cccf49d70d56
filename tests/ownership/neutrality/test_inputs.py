"""Bad input is refused with the place it was found, before any analysis runs."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from questionnaires.ownership.neutrality.analysis import analyse
from questionnaires.ownership.neutrality.records import NeutralityInputError

VENDOR = {"id": "v", "name": "LabelWorks"}
HOLDER = {"id": "h", "name": "Holder"}


def stake(**fields):
    return {"id": "s1", "holder_id": "h", "subject_id": "v", "percent": 10, **fields}


@pytest.mark.parametrize(("bad", "field"), [
    ({"percent": 101}, "stakes[0].percent"),
    ({"percent": -1}, "stakes[0].percent"),
    ({"percent": True}, "stakes[0].percent"),
    ({"percent": float("nan")}, "stakes[0].percent"),
    ({"percent": "ten"}, "stakes[0].percent"),
    ({"voting_percent": 150}, "stakes[0].voting_percent"),
    ({"holder_id": "nobody"}, "stakes[0].holder_id"),
    ({"board_seats": -1}, "stakes[0].board_seats"),
    ({"information_rights": "yes"}, "stakes[0].information_rights"),
    ({"acquired_on": "last year"}, "stakes[0].acquired_on"),
    ({"acquired_on": "2025-02-01", "disposed_on": "2025-01-01"}, "stakes[0].disposed_on"),
])
def test_a_bad_stake_field_is_located(bad, field):
    with pytest.raises(NeutralityInputError) as error:
        analyse("v", [VENDOR, HOLDER], [stake(**bad)], [], on=date(2025, 1, 1))

    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


def test_a_missing_required_field_is_located():
    with pytest.raises(NeutralityInputError, match=r"^entities\[1\]\.name: is required$"):
        analyse("v", [VENDOR, {"id": "h"}], [], [], on=date(2025, 1, 1))


def test_an_unknown_kind_lists_the_known_ones():
    with pytest.raises(NeutralityInputError, match="expected one of company, fund, person"):
        analyse("v", [{**VENDOR, "kind": "trust"}], [], [], on=date(2025, 1, 1))


def test_duplicate_entity_ids_are_refused():
    with pytest.raises(NeutralityInputError, match=r"entities\[1\]\.id: duplicate"):
        analyse("v", [VENDOR, {**HOLDER, "id": "v"}], [], [], on=date(2025, 1, 1))


def test_an_unknown_vendor_is_refused():
    with pytest.raises(NeutralityInputError, match="vendor_id: unknown entity"):
        analyse("nobody", [VENDOR], [], [], on=date(2025, 1, 1))


def test_orm_shaped_values_are_accepted():
    vendor_id = UUID(int=1)
    holder_id = UUID(int=2)
    entities = [{"id": vendor_id, "name": "LabelWorks"}, {"id": str(holder_id), "name": "H"}]
    stakes = [{"id": UUID(int=3), "holder_id": holder_id, "subject_id": str(vendor_id),
               "percent": Decimal("12.5000"), "voting_percent": None,
               "acquired_on": datetime(2024, 5, 1, 9, 30), "source": None}]

    result = analyse(vendor_id, entities, stakes, [], on=date(2024, 5, 1))

    assert result.effective == {str(holder_id): 12.5}
