"""Generated valid templates round-trip exactly through YAML, JSON and CSV exports."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.authoring.importers import (
    dump_native,
    dump_spreadsheet,
    load_native,
    load_spreadsheet,
)
from tests.support.hypothesis_profiles import examples

KINDS = ("yes_no", "single_choice", "multi_choice", "short_text", "long_text", "number", "date", "file", "info")
SEVERITIES = ("info", "low", "medium", "high", "critical")

# Any text a person could type, control characters and odd Unicode line breaks included.
prose = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
text = prose.filter(lambda value: value.strip())
unit = st.one_of(st.integers(0, 1), st.floats(0, 1, allow_nan=False))
weight = st.one_of(st.integers(0, 50), st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
bound = st.one_of(st.none(), st.integers(-1000, 1000), st.floats(-1e9, 1e9, allow_nan=False))


def maybe(draw, field: str, strategy: st.SearchStrategy[Any], into: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Write ``field`` or leave it to its default, so both spellings get exercised."""
    if draw(st.booleans()):
        into[field] = draw(strategy)


@st.composite
def options(draw, prefix: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    count = draw(st.integers(1, 4))
    return [{"key": f"{prefix}_o{i}", "label": draw(text), "score": draw(unit)} for i in range(count)]


@st.composite
def question(draw, key: str, earlier: list[tuple[str, str]]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(KINDS))
    result: dict[str, Any] = {"key": key, "text": draw(text), "kind": kind}
    for field, strategy in (
        ("help", prose),
        ("weight", weight),
        ("evidence", st.sampled_from(["none", "optional", "required"])),
        ("evidence_penalty", unit),
    ):
        maybe(draw, field, strategy, result)
    if kind != "info":
        maybe(draw, "required", st.booleans(), result)
    if kind == "yes_no":
        maybe(draw, "allow_na", st.booleans(), result)
        maybe(
            draw,
            "options",
            st.just([{"key": "no", "label": "Nope", "score": 0.25}, {"key": "yes", "label": "Yep", "score": 1}]),
            result,
        )
    if kind in ("single_choice", "multi_choice"):
        result["options"] = draw(options(key))
    if kind == "multi_choice":
        maybe(draw, "multi", st.sampled_from(["mean", "min", "max", "sum"]), result)
    if kind == "number":
        maybe(
            draw,
            "bands",
            st.lists(st.builds(lambda s: {"min": None, "max": None, "score": s}, unit), max_size=3),
            result,
        )
        maybe(draw, "min", st.one_of(st.none(), st.integers(-100, 0)), result)
        maybe(draw, "max", st.one_of(st.none(), st.integers(1, 100)), result)
    if earlier:
        conditions = [f"^{k}" for k, _ in earlier] + [f"answered({k})" for k, kind in earlier if kind != "info"]
        maybe(draw, "show_if", st.sampled_from(conditions), result)
    maybe(draw, "flags", st.lists(flag(), max_size=2), result)
    maybe(draw, "refs", st.lists(text, max_size=3, unique=True), result)
    return result


@st.composite
def flag(draw) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = {"severity": draw(st.sampled_from(SEVERITIES)), "title": draw(text)}
    maybe(draw, "recommendation", prose, result)
    return result


@st.composite
def templates(draw) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    sections = []
    earlier: list[tuple[str, str]] = []  # (key, kind) of the questions drawn so far
    for s in range(draw(st.integers(1, 3))):
        questions = []
        for q in range(draw(st.integers(1, 4))):
            key = f"q{s}_{q}"
            questions.append(draw(question(key, list(earlier))))
            earlier.append((key, questions[-1]["kind"]))
        section: dict[str, Any] = {"key": f"s{s}", "title": draw(text), "questions": questions}
        maybe(draw, "description", prose, section)
        maybe(draw, "weight", weight, section)
        sections.append(section)
    spec: dict[str, Any] = {"format": "diligence/v1", "key": "generated", "name": draw(text), "sections": sections}
    maybe(draw, "description", prose, spec)
    maybe(draw, "flag_penalties", st.fixed_dictionaries({"high": st.integers(0, 100)}), spec)
    return spec


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates())
def test_a_generated_template_round_trips_through_yaml_and_json(raw: dict[str, Any]) -> None:
    spec = load_native(json.dumps(raw))
    assert load_native(dump_native(spec, fmt="yaml")) == spec
    assert load_native(dump_native(spec, fmt="json")) == spec


@settings(max_examples=examples(50), deadline=None)
@given(templates())
def test_loading_is_idempotent_so_export_is_canonical(raw: dict[str, Any]) -> None:
    spec = load_native(json.dumps(raw))
    exported = dump_native(spec)
    assert dump_native(load_native(exported)) == exported


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates())
def test_a_generated_template_keeps_its_questions_through_a_csv_export(raw: dict[str, Any]) -> None:
    spec = load_native(json.dumps(raw))
    back = load_spreadsheet(dump_spreadsheet(spec, fmt="csv"), filename="generated.csv")
    assert back["sections"] == spec["sections"]
