"""Name matching: forgiving about form, strict about substance."""

import pytest

from questionnaires.ownership.neutrality.matching import match_competitor, normalise_name
from questionnaires.ownership.neutrality.records import Competitor, Entity


@pytest.mark.parametrize("name", [
    "Example Platforms, Inc.", "example platforms inc", "EXAMPLE PLATFORMS",
    "  Example   Platforms  ", "Example-Platforms Corp.", "Example Platforms Co., Ltd.",
    "Example Platforms L.L.C.", "Exámple Platforms GmbH",
])
def test_legal_form_case_punctuation_and_spacing_are_ignored(name):
    assert normalise_name(name) == "example platforms"


def test_words_that_name_a_business_are_kept():
    assert normalise_name("Example Ventures LP") == "example ventures"
    assert normalise_name("Example Ventures LP") != normalise_name("Example Platforms")
    assert normalise_name("Example Platforms Holdings") != normalise_name("Example Platforms")


def test_only_trailing_legal_forms_are_dropped():
    assert normalise_name("Co-Pilot Labs") == "co pilot labs"
    assert normalise_name("Inc Labs Inc") == "inc labs"


def test_a_name_made_only_of_a_legal_form_keeps_it():
    assert normalise_name("Co.") == "co"


def test_matches_by_alias_of_the_competitor():
    competitor = Competitor("c1", "Orbital Dynamics", aliases=("OrbitalAI",))
    assert match_competitor(Entity("e1", "OrbitalAI Inc."), [competitor]) == competitor


def test_matches_by_alias_of_the_entity():
    competitor = Competitor("c1", "Orbital Dynamics")
    entity = Entity("e1", "OD Holdco", aliases=("Orbital Dynamics Ltd",))
    assert match_competitor(entity, [competitor]) == competitor


def test_near_miss_names_do_not_match():
    competitors = [Competitor("c1", "Example Platforms, Inc.")]
    assert match_competitor(Entity("e1", "Example Ventures LP"), competitors) is None
    assert match_competitor(Entity("e2", "Example Platform"), competitors) is None


def test_plain_dicts_match_like_records():
    competitors = [{"id": "c1", "name": "Orbital Dynamics", "aliases": []}]
    entity = {"id": "e1", "name": "ORBITAL DYNAMICS, INC.", "aliases": []}
    assert match_competitor(entity, competitors) == competitors[0]


def test_an_empty_normalised_name_matches_nothing():
    competitors = [Competitor("c1", "...")]
    assert match_competitor(Entity("e1", "!!!"), competitors) is None
