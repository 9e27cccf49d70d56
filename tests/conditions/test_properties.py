"""Properties that must hold for any condition, any answers and any (acyclic) template."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from questionnaires.conditions import ConditionError, Context, compile_template, parse
from questionnaires.conditions.nodes import (
    Answered,
    BoolLiteral,
    Chain,
    Compare,
    Contains,
    Matches,
    Membership,
    Node,
    Not,
    Ref,
    Selected,
)

# -- random conditions and contexts --------------------------------------------------------

KINDS = {"a": "yes_no", "b": "short_text", "c": "single_choice", "d": "multi_choice", "n": "number"}
OPTION_OWNERS = {"opt_x": "c", "opt_y": "d"}
NAMES = st.sampled_from([*KINDS, *OPTION_OWNERS, "not-in.context"])
TEXT = st.text(max_size=6)
NUMBERS = st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False))
LITERALS = st.one_of(TEXT, NUMBERS)
SUBJECTS = st.one_of(TEXT, st.builds(Ref, NAMES, st.sampled_from(["plain", "value"])))

LEAVES = st.one_of(
    st.builds(BoolLiteral, st.booleans()),
    st.builds(Ref, NAMES, st.sampled_from(["plain", "visible", "yes", "no", "value"])),
    st.builds(Compare, NAMES, st.sampled_from(["==", "!="]), LITERALS),
    st.builds(Compare, NAMES, st.sampled_from(["<", "<=", ">", ">="]), NUMBERS),
    st.builds(Membership, NAMES, st.lists(LITERALS, min_size=1, max_size=3).map(tuple)),
    st.builds(Selected, NAMES, TEXT),
    st.builds(Answered, NAMES),
    st.builds(Matches, SUBJECTS, TEXT.map(re.escape), st.sampled_from(["", "i", "ms"])),
    st.builds(Contains, SUBJECTS, TEXT),
)


def _compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    links = st.lists(st.tuples(st.sampled_from(["&&", "||"]), children), min_size=1, max_size=3)
    return st.one_of(children.map(Not), st.builds(Chain, children, links.map(tuple)))


TREES = st.recursive(LEAVES, _compound, max_leaves=10)

ANSWER_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["yes", "no", "na", "opt_x", "opt_y", "", "abc"]),
    TEXT,
    NUMBERS,
    st.booleans(),
    st.lists(st.sampled_from(["opt_x", "opt_y", "z"]), max_size=3),
)
CONTEXTS = st.builds(
    lambda answers, hidden: Context(answers, hidden=hidden, kinds=KINDS, option_owners=OPTION_OWNERS),
    st.dictionaries(st.sampled_from(list(KINDS)), ANSWER_VALUES),
    st.sets(st.sampled_from(list(KINDS))),
)


@given(TREES, CONTEXTS)
def test_a_rendered_tree_parses_back_to_the_same_tree_and_value(tree, ctx):
    reparsed = parse(tree.render())
    assert reparsed.node == tree
    assert reparsed.evaluate(ctx) == bool(tree.evaluate(ctx))


@given(TREES, CONTEXTS)
def test_evaluation_is_deterministic(tree, ctx):
    condition = parse(tree.render())
    assert condition.evaluate(ctx) == condition.evaluate(ctx)


@given(TREES, CONTEXTS)
def test_double_negation_is_the_identity(tree, ctx):
    source = tree.render()
    assert parse(f"!(!({source}))").evaluate(ctx) == parse(source).evaluate(ctx)


@given(TREES, TREES, TREES, CONTEXTS)
def test_chains_evaluate_left_to_right(x, y, z, ctx):
    left, middle, right = (f"({tree.render()})" for tree in (x, y, z))
    assert parse(f"{left} || {middle} && {right}").evaluate(ctx) == parse(f"({left} || {middle}) && {right}").evaluate(
        ctx
    )


LANGUAGE_PIECES = st.sampled_from(
    [
        "a",
        "b_1",
        "x-y.z",
        "^",
        "/yes",
        "/no",
        "/value",
        "/",
        "!",
        "&&",
        "||",
        "&",
        "|",
        "(",
        ")",
        "[",
        "]",
        ",",
        "==",
        "!=",
        "=",
        "<",
        ">=",
        "in",
        "true",
        "false",
        "selected",
        "answered",
        "matches",
        "contains",
        '"',
        '"s"',
        "\\",
        "1",
        "-2.5",
        "1e9",
        " ",
        "\t",
        "@",
        "é",
    ]
)


@given(st.one_of(st.text(), st.lists(LANGUAGE_PIECES, max_size=20).map("".join)))
def test_any_input_either_parses_or_raises_a_located_condition_error(text):
    try:
        parse(text)
    except ConditionError as error:
        assert error.column is None or 1 <= error.column <= len(text) + 1


# -- random templates ----------------------------------------------------------------------

CHOICE_KINDS = ("single_choice", "multi_choice")
TEMPLATE_KINDS = ("yes_no", "single_choice", "multi_choice", "short_text", "number")


def _uses(key: str, kind: str) -> list[str]:
    """Conditions that read question ``key`` of ``kind`` in every way that fits it."""
    common = [key, f"!{key}", f"^{key}", f"answered({key})", f"!^{key}"]
    by_kind = {
        "yes_no": [f"{key}/yes", f"{key}/no", f'{key} == "yes"', f'{key} != "no"'],
        "single_choice": [f"{key}_o0", f"{key}_o1/no", f'selected({key}, "{key}_o1")', f'{key} in ["{key}_o0"]'],
        "multi_choice": [f"{key}_o1", f'selected({key}, "{key}_o0")', f'{key} in ["{key}_o0", "{key}_o1"]'],
        "short_text": [f'contains({key}, "a")', f'matches({key}, "^b")'],
        "number": [f"{key} > 2", f"{key} <= 0", f"{key} != 1"],
    }
    return common + by_kind[kind]


@st.composite
def _condition_over(draw: st.DrawFn, readable: list[tuple[str, str]]) -> str | None:
    if not readable or draw(st.booleans()):
        return None
    parts = [draw(st.sampled_from(_uses(*draw(st.sampled_from(readable)))))]
    for _ in range(draw(st.integers(0, 2))):
        parts.append(draw(st.sampled_from(["&&", "||"])))
        parts.append(draw(st.sampled_from(_uses(*draw(st.sampled_from(readable))))))
    return " ".join(parts)


@st.composite
def templates(draw: st.DrawFn) -> dict:
    """Acyclic by construction: a condition only reads questions that come before it."""
    kinds = draw(st.lists(st.sampled_from(TEMPLATE_KINDS), min_size=2, max_size=9))
    cuts = sorted(draw(st.sets(st.integers(1, len(kinds) - 1), max_size=2)))
    sections, earlier, questions = [], [], []
    for index, kind in enumerate(kinds):
        if index in cuts and questions:
            sections.append(
                {
                    "key": f"s{len(sections)}",
                    "questions": questions,
                    "show_if": draw(_condition_over(earlier[: -len(questions)])),
                }
            )
            questions = []
        key = f"q{index}"
        spec = {"key": key, "kind": kind, "show_if": draw(_condition_over(earlier))}
        if kind in CHOICE_KINDS:
            spec["options"] = [{"key": f"{key}_o{n}"} for n in range(2)]
        spec["flags"] = [{"when": draw(_condition_over([*earlier, (key, kind)])), "severity": "low", "title": key}]
        questions.append(spec)
        earlier.append((key, kind))
    sections.append(
        {
            "key": f"s{len(sections)}",
            "questions": questions,
            "show_if": draw(_condition_over(earlier[: -len(questions)])),
        }
    )
    return {"sections": sections}


TEMPLATE_ANSWERS = st.one_of(
    st.none(),
    st.sampled_from(["yes", "no", "na", "", "abc", "b"]),
    st.integers(-3, 5),
    st.lists(st.sampled_from([f"q{i}_o{n}" for i in range(9) for n in range(2)]), max_size=3),
    st.sampled_from([f"q{i}_o{n}" for i in range(9) for n in range(2)]),
)


@given(templates(), st.dictionaries(st.sampled_from([f"q{i}" for i in range(9)]), TEMPLATE_ANSWERS), st.data())
def test_the_answer_of_a_hidden_question_changes_nothing(spec, answers, data):
    compiled = compile_template(spec)
    visibility = compiled.visibility(answers)
    hidden = [key for key, visible in visibility.items() if not visible]
    if not hidden:
        return
    key = data.draw(st.sampled_from(hidden))
    changed = {**answers, key: data.draw(TEMPLATE_ANSWERS)}
    assert compiled.visibility(changed) == visibility
    assert compiled.raised_flags(changed) == compiled.raised_flags(answers)
    assert compiled.progress(changed) == compiled.progress(answers)
    assert compiled.effective_answers(changed) == compiled.effective_answers(answers)


@given(templates(), st.dictionaries(st.sampled_from([f"q{i}" for i in range(9)]), TEMPLATE_ANSWERS))
def test_visibility_agrees_with_evaluating_each_show_if_in_the_final_context(spec, answers):
    # The topological order must give the same answer as the definition: a question is
    # visible when its section and its own show_if hold, read with everyone else's visibility.
    compiled = compile_template(spec)
    ctx = compiled.context(answers)
    for section in spec["sections"]:
        section_shown = section["show_if"] is None or parse(section["show_if"]).evaluate(ctx)
        for question in section["questions"]:
            own = question["show_if"] is None or parse(question["show_if"]).evaluate(ctx)
            assert ctx.is_visible(question["key"]) == (section_shown and own)
