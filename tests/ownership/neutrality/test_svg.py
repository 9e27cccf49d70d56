"""The pictures: valid XML, names kept literal, accessible, basic SVG only, deterministic."""

import random
import re
import xml.etree.ElementTree as ET
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires.charts.ownership import ownership_graph_svg, ownership_timeline_svg
from tests.support.hypothesis_profiles import examples

SVG = "{http://www.w3.org/2000/svg}"
ON = date(2025, 6, 30)
HOSTILE = '<script>&"'
LONG = "Orbital Dynamics Strategic Investments Fund III (Cayman) LP"
BASIC = {"svg", "g", "rect", "line", "path", "text", "title", "desc", "defs", "marker"}


def registry():
    entities = [
        {"id": "v", "name": "LabelWorks", "kind": "company", "is_vendor": True},
        {"id": "od", "name": "Orbital Dynamics"},
        {"id": "ov", "name": LONG, "kind": "fund"},
        {"id": "x", "name": HOSTILE, "kind": "person"},
        {"id": "y", "name": "Cross Holder"},
        {"id": "p", "name": "Parent Co"},
        {"id": "q", "name": "Child Fund", "kind": "fund", "parent_id": "p"},
    ]
    stakes = [
        {"id": "s1", "holder_id": "od", "subject_id": "ov", "percent": 100},
        {"id": "s2", "holder_id": "ov", "subject_id": "v", "percent": 40, "board_seats": 1,
         "observer_seats": 1, "acquired_on": "2024-03-01"},
        {"id": "s3", "holder_id": "x", "subject_id": "y", "percent": 30},
        {"id": "s4", "holder_id": "y", "subject_id": "x", "percent": 30},
        {"id": "s5", "holder_id": "y", "subject_id": "v", "percent": 10, "voting_percent": 20,
         "disposed_on": "2025-12-01"},
        {"id": "s6", "holder_id": "q", "subject_id": "v", "percent": 5},
    ]
    competitors = [{"id": "c1", "name": "Orbital Dynamics", "aliases": []}]
    return entities, stakes, competitors


def graph(entities=None, stakes=None, competitors=None, findings=()):
    default_entities, default_stakes, default_competitors = registry()
    return ownership_graph_svg("v", entities or default_entities, stakes or default_stakes,
                               competitors or default_competitors, on=ON, findings=findings)


def timeline(stakes=None, entities=None):
    default_entities, default_stakes, _ = registry()
    return ownership_timeline_svg(stakes or default_stakes, entities or default_entities,
                                  start=date(2024, 1, 1), end=date(2026, 1, 1))


def parse(svg):
    # Our own output, parsed to prove it is well formed; nothing untrusted comes in here.
    return ET.fromstring(svg)  # noqa: S314


def all_text(svg):
    return {"".join(element.itertext()) for element in parse(svg).iter()}


def test_graph_parses_and_holds_every_name_as_literal_text():
    svg = graph()

    texts = all_text(svg)
    for name in ("LabelWorks", "Orbital Dynamics", HOSTILE, "Cross Holder", "Child Fund"):
        assert name in texts
    assert "<script>" not in svg
    assert "&lt;script&gt;&amp;\"" in svg


def test_long_names_are_cut_with_an_ellipsis_and_kept_whole_in_a_title():
    root = parse(graph())

    shown = {element.text for element in root.iter(f"{SVG}text")}
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert LONG not in shown
    assert any(text.endswith("\u2026") and LONG.startswith(text[:-1]) for text in shown)
    assert any(title.startswith(LONG) for title in titles)


def test_graph_is_accessible_and_uses_only_basic_inline_svg():
    svg = graph()
    root = parse(svg)

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert {element.tag.removeprefix(SVG) for element in root.iter()} <= BASIC
    assert not re.search(r"\b(class|style)=|<style|@import|url\((?!#)", svg)


def test_graph_marks_seats_votes_and_declared_parents_on_the_edges():
    texts = all_text(graph())

    assert "40.0%, board, observer" in texts
    assert "10.0%, 20.0% votes" in texts
    assert "parent" in texts


def test_graph_highlights_the_competitor_and_what_it_controls():
    root = parse(graph())

    def fill_of(name):
        [fill] = [group.find(f"{SVG}rect").get("fill") for group in root.iter(f"{SVG}g")
                  if (group.findtext(f"{SVG}title") or "").startswith(f"{name} (")]
        return fill

    assert fill_of("Orbital Dynamics") == "#f4b4b4"
    assert fill_of(LONG) == "#fde2e2"
    assert fill_of("Cross Holder") == "#f5f5f5"


def test_graph_draws_the_path_of_a_finding_in_red(ownership):
    ownership.competitor("Orbital Dynamics")
    ownership.stake("Orbital Dynamics", "Fund", 50)
    ownership.stake("Fund", ownership.vendor_id, 40)
    ownership.stake("Other", ownership.vendor_id, 10)
    result = ownership.analyse()

    svg = ownership_graph_svg(ownership.vendor_id, ownership.entities, ownership.stakes,
                              ownership.competitors, on=result.on, findings=result.findings)

    red = [path for path in parse(svg).iter(f"{SVG}path")
           if path.get("stroke") == "#c62828"]
    assert len(red) == 2
    assert any(result.findings[0].reason in text for text in all_text(svg))


def test_graph_view_box_contains_every_box():
    root = parse(graph())

    _, _, width, height = map(float, root.get("viewBox").split())
    for rect in root.iter(f"{SVG}rect"):
        assert float(rect.get("x")) >= 0 and float(rect.get("y")) >= 0
        assert float(rect.get("x")) + float(rect.get("width")) <= width
        assert float(rect.get("y")) + float(rect.get("height")) <= height


def test_graph_is_the_same_bytes_for_the_same_registry_in_any_order():
    entities, stakes, competitors = registry()
    first = graph(entities, stakes, competitors)
    shuffled = random.Random(7)
    shuffled.shuffle(entities)
    shuffled.shuffle(stakes)

    assert graph(entities, stakes, competitors) == first
    assert graph() == first


def test_a_vendor_alone_is_still_a_valid_picture():
    svg = ownership_graph_svg("v", [{"id": "v", "name": "LabelWorks"}], [], [], on=ON,
                              findings=())

    assert "LabelWorks" in all_text(svg)


def test_timeline_has_one_bar_per_stake_in_the_period_with_labels():
    root = parse(timeline())

    rows = [group for group in root.iter(f"{SVG}g") if group.find(f"{SVG}rect") is not None]
    assert len(rows) == 6
    labels = {"".join(group.find(f"{SVG}text").itertext()) for group in rows}
    assert "Cross Holder: 10.0% of LabelWorks (20.0% votes)" in labels
    assert f"{HOSTILE}: 30.0% of Cross Holder" in labels
    assert root.get("role") == "img"


def test_timeline_bar_runs_from_acquisition_to_disposal():
    root = parse(timeline())

    bars = {group.find(f"{SVG}title").text: group.find(f"{SVG}rect") for group in
            root.iter(f"{SVG}g") if group.find(f"{SVG}rect") is not None}
    bought = bars[f"{LONG}: 40.0% of LabelWorks (board, observer), from 2024-03-01 still held"]
    sold = bars["Cross Holder: 10.0% of LabelWorks (20.0% votes), from an unknown date to "
                "2025-12-01"]
    assert float(bought.get("x")) > float(sold.get("x"))
    assert bought.get("fill") != sold.get("fill")


def test_timeline_leaves_out_stakes_outside_the_period():
    entities, stakes, _ = registry()
    stakes.append({"id": "old", "holder_id": "y", "subject_id": "v", "percent": 1,
                   "acquired_on": "2020-01-01", "disposed_on": "2023-12-31"})

    assert timeline(stakes, entities) == timeline()


def test_timeline_is_deterministic_and_valid_when_empty():
    entities, _, _ = registry()

    assert timeline() == timeline()
    empty = ownership_timeline_svg([], entities, start=date(2024, 1, 1), end=date(2024, 1, 1))
    assert "No stake was held between 2024-01-01 and 2024-01-01." in all_text(empty)


@settings(max_examples=examples(100), deadline=None)
@given(st.text(min_size=1, max_size=80).filter(str.strip))
def test_any_name_yields_well_formed_svg(name):
    entities = [{"id": "v", "name": "LabelWorks"}, {"id": "h", "name": name}]
    stakes = [{"id": "s", "holder_id": "h", "subject_id": "v", "percent": 10}]

    for svg in (ownership_graph_svg("v", entities, stakes, [], on=ON, findings=()),
                ownership_timeline_svg(stakes, entities, start=date(2024, 1, 1), end=ON)):
        parse(svg)
