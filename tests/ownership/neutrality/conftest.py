"""Helpers for the neutrality tests: a small builder for ownership registries as plain data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from questionnaires.ownership.neutrality.analysis import Result, analyse

DAY = date(2025, 6, 30)
VENDOR = "LabelWorks"


class Ownership:
    """A vendor's registry built up by name: entity ids are their names unless given."""

    def __init__(self, vendor: str = VENDOR) -> None:
        self.entities: list[dict[str, Any]] = []
        self.stakes: list[dict[str, Any]] = []
        self.competitors: list[dict[str, Any]] = []
        self.vendor_id = self.entity(vendor, is_vendor=True)

    def entity(self, name: str, *, kind: str = "company", aliases: tuple[str, ...] = (),
               parent: str | None = None, is_vendor: bool = False) -> str:
        """Add an entity and return its id (its name)."""
        self.entities.append({"id": name, "name": name, "kind": kind, "aliases": list(aliases),
                              "is_vendor": is_vendor, "parent_id": parent})
        return name

    def stake(self, holder: str, subject: str, percent: Any, **fields: Any) -> str:
        """Add a stake (holder and subject by id, added as entities if new); return its id."""
        known = {entity["id"] for entity in self.entities}
        for name in (holder, subject):
            if name not in known:
                self.entity(name)
                known.add(name)
        stake_id = f"s{len(self.stakes) + 1}"
        self.stakes.append({"id": stake_id, "holder_id": holder, "subject_id": subject,
                            "percent": percent, "source": "test", **fields})
        return stake_id

    def competitor(self, name: str, *aliases: str) -> None:
        """Declare a competitor of the buyer."""
        self.competitors.append({"id": f"c{len(self.competitors) + 1}", "name": name,
                                 "aliases": list(aliases)})

    def analyse(self, on: date = DAY, thresholds: Any = None) -> Result:
        """The vendor's neutrality on `on`."""
        return analyse(self.vendor_id, self.entities, self.stakes, self.competitors, on=on,
                       thresholds=thresholds)

    def finding_for(self, competitor: str, on: date = DAY, thresholds: Any = None) -> Any:
        """The one finding about `competitor`, or None when there is none."""
        found = [finding for finding in self.analyse(on, thresholds).findings
                 if finding.competitor == competitor]
        assert len(found) <= 1, f"expected at most one finding per competitor, got {found}"
        return found[0] if found else None


@pytest.fixture
def ownership() -> Ownership:
    """An empty registry around the vendor LabelWorks."""
    return Ownership()


@pytest.fixture
def make_ownership() -> type[Ownership]:
    """Registries around a vendor named by the test: `make_ownership(vendor="Annotada")`."""
    return Ownership
