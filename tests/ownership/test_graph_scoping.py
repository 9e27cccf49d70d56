"""Analysing only the part of a buyer's graph above a vendor gives exactly the analysis of
the whole graph: the services rely on it to stay fast for buyers with large registries."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires.ownership.neutrality.analysis import analyse, status_changes
from questionnaires.ownership.neutrality.records import Registry, Thresholds
from questionnaires.ownership.services.neutrality import OwnershipGraph
from tests.support.hypothesis_profiles import examples

NAMES = ["Orbital Dynamics", "Orbital AI, Inc.", "Example Platforms", "Example Ventures LP",
         "Northwind", "Holdco", "Alpha", "Beta"]
DAYS = [None, datetime.date(2023, 1, 1), datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)]
ON = datetime.date(2024, 6, 1)


@st.composite
def graphs(draw):
    count = draw(st.integers(min_value=2, max_value=8))
    entities = [{"id": f"e{i}", "name": f"{draw(st.sampled_from(NAMES))} {i}"
                 if draw(st.booleans()) else NAMES[i % len(NAMES)],
                 "aliases": [], "is_vendor": i == 0, "vendor_id": "v0" if i == 0 else None,
                 "parent_id": None, "kind": "company"} for i in range(count)]
    for entity in entities[1:]:
        if draw(st.integers(0, 4)) == 0:
            entity["parent_id"] = f"e{draw(st.integers(0, count - 1))}"
            if entity["parent_id"] == entity["id"]:
                entity["parent_id"] = None
    stakes = []
    for index in range(draw(st.integers(0, 12))):
        holder, subject = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=2,
                                        unique=True))
        acquired = draw(st.sampled_from(DAYS))
        disposed = draw(st.sampled_from(DAYS))
        if acquired and disposed and disposed < acquired:
            acquired, disposed = disposed, acquired
        stakes.append({"id": f"s{index}", "holder_id": f"e{holder}", "subject_id": f"e{subject}",
                       "percent": draw(st.sampled_from([1, 5, 20, 30, 49, 60])),
                       "voting_percent": None, "board_seats": draw(st.integers(0, 1)),
                       "observer_seats": 0, "information_rights": draw(st.booleans()),
                       "acquired_on": acquired, "disposed_on": disposed, "source": ""})
    competitors = [{"id": "c1", "name": "Orbital Dynamics", "aliases": ["Orbital AI"]},
                   {"id": "c2", "name": "Example Platforms", "aliases": []}]
    return entities, stakes, competitors


@settings(max_examples=examples(150), deadline=None)
@given(graphs())
def test_the_analysis_above_a_vendor_equals_the_analysis_of_the_whole_graph(graph):
    entities, stakes, competitors = graph
    thresholds = Thresholds.build(None)
    scoped = OwnershipGraph(entities, stakes, competitors, thresholds,
                            Registry.build(entities, stakes, competitors), {"v0": "e0"})
    vendor = SimpleNamespace(pk="v0", name=entities[0]["name"], aliases=[])

    whole = analyse("e0", entities, stakes, competitors, on=ON, thresholds=thresholds)
    assert scoped.analyse(vendor, ON).as_dict() == whole.as_dict()

    node, some, above, _ = scoped.plain(vendor)
    full = status_changes("e0", entities, stakes, competitors, start=datetime.date(2022, 1, 1),
                          end=ON)
    part = status_changes(node, some, above, competitors, start=datetime.date(2022, 1, 1),
                          end=ON)
    # The days looked at differ (stakes elsewhere add days), the changes found do not.
    assert [(c.date, c.from_status, c.to_status) for c in part] == [
        (c.date, c.from_status, c.to_status) for c in full]
