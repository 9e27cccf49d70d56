"""The parser: VSAQ's conditions, the native additions, and where syntax errors point."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from questionnaires.conditions import MAX_DEPTH, MAX_LENGTH, ConditionError, TemplateError, parse
from questionnaires.conditions.nodes import (
    Answered,
    BoolLiteral,
    Chain,
    Compare,
    Contains,
    Matches,
    Membership,
    Not,
    Ref,
    Selected,
)
from tests.support.paths import VSAQ_DIR

VSAQ_FIXTURES = VSAQ_DIR
# Read raw, not through the importer: the files are not strict JSON (comments, "a" + "b").
COND = re.compile(r'"cond"\s*:\s*"((?:[^"\\]|\\.)*)"')


def vsaq_conditions() -> list[str]:
    found = []
    for path in sorted(VSAQ_FIXTURES.glob("*.json")):
        found.extend(json.loads(f'"{raw}"') for raw in COND.findall(path.read_text()))
    return found


def test_the_vsaq_fixtures_hold_conditions_to_parse():
    # Guards the test below: a broken regex must not make it vacuously pass.
    assert len(vsaq_conditions()) == 97


@pytest.mark.parametrize("source", vsaq_conditions())
def test_every_vsaq_fixture_condition_parses(source):
    condition = parse(source)
    assert condition.names
    assert parse(condition.node.render()) == condition


def test_a_vsaq_condition_with_negated_group_parses_to_the_expected_tree():
    source = (
        "application_custom_auth_recovery_questions && "
        "!(application_custom_auth_recovery_resetlink || application_custom_auth_recovery_newpwd)"
    )
    assert parse(source).node == Chain(
        Ref("application_custom_auth_recovery_questions"),
        (
            (
                "&&",
                Not(
                    Chain(
                        Ref("application_custom_auth_recovery_resetlink"),
                        (("||", Ref("application_custom_auth_recovery_newpwd")),),
                    )
                ),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        ("a", Ref("a")),
        ("vendor-2.id_x", Ref("vendor-2.id_x")),
        ("^a", Ref("a", "visible")),
        ("a/yes", Ref("a", "yes")),
        ("a/no", Ref("a", "no")),
        ("a/value", Ref("a", "value")),
        ("true", BoolLiteral(True)),
        ("false", BoolLiteral(False)),
        ("!a", Not(Ref("a"))),
        ("!!a", Not(Not(Ref("a")))),
        ('a == "yes"', Compare("a", "==", "yes")),
        ('a != "no"', Compare("a", "!=", "no")),
        ("n < 10", Compare("n", "<", 10)),
        ("n <= -2.5", Compare("n", "<=", -2.5)),
        ("n > 1e3", Compare("n", ">", 1000.0)),
        ("n >= 0", Compare("n", ">=", 0)),
        ('a in ["x", "y", 3]', Membership("a", ("x", "y", 3))),
        ('selected(a, "opt")', Selected("a", "opt")),
        ("answered(a)", Answered("a")),
        ('matches(a, "^x+$")', Matches(Ref("a"), "^x+$")),
        ('matches(a/value, "x", "i")', Matches(Ref("a", "value"), "x", "i")),
        ('contains("abc", "b")', Contains("abc", "b")),
        ('!a == "yes"', Not(Compare("a", "==", "yes"))),
    ],
)
def test_each_construct_parses_to_its_node(source, tree):
    assert parse(source).node == tree


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"a\\"b"', 'a"b'),
        ('"back\\\\slash"', "back\\slash"),
        ('"\\d+"', "d+"),  # as in VSAQ, a backslash makes any next character literal
        ('"tab\there"', "tab\there"),
    ],
)
def test_string_escapes_follow_vsaq(source, expected):
    assert parse(f"contains(a, {source})").node == Contains(Ref("a"), expected)


def test_and_and_or_group_left_to_right_with_equal_precedence():
    # In C-like languages "a || b && c" is "a || (b && c)"; VSAQ reads it left to right.
    assert parse("a || b && c").node == Chain(Ref("a"), (("||", Ref("b")), ("&&", Ref("c"))))
    assert parse("a && b || c").node == Chain(Ref("a"), (("&&", Ref("b")), ("||", Ref("c"))))


def test_parentheses_group_and_bind_a_chain_into_one_operand():
    grouped = Chain(Ref("b"), (("&&", Ref("c")),))
    assert parse("a || (b && c)").node == Chain(Ref("a"), (("||", grouped),))


def test_names_lists_every_name_without_prefix_or_suffix():
    condition = parse('^a && b/yes || c/value && d == "x" && selected(e, "o") && matches(f, "y") && answered(g)')
    assert condition.names == {"a", "b", "c", "d", "e", "f", "g"}


def test_names_leaves_out_string_literals_and_functions():
    assert parse('contains("text", "t") && true').names == frozenset()


def test_a_function_name_is_an_ordinary_name_when_not_called():
    assert parse("selected && answered").names == {"selected", "answered"}


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("", 1, "empty condition"),
        ("   ", 1, "empty condition"),
        ("a &&", 5, "expected a condition after '&&', found the end"),
        ("a ||| b", 5, "'|' must be doubled"),
        ("a & b", 3, "'&' must be doubled"),
        ("a = b", 3, "'=' must be doubled"),
        ("(a || b", 8, "expected ')' to close the '(' at column 1"),
        ("a || b)", 7, "unexpected ')'"),
        ("a b", 3, "expected '&&', '||' or the end of the condition, found name 'b'"),
        ('"abc', 1, "unterminated string"),
        ('a == "ab\\', 6, "unterminated string"),
        ("a ==", 5, "expected a string or a number after '=='"),
        ('a < "x"', 5, "'<' compares numbers"),
        ("a in x", 6, "expected '[' after 'in'"),
        ('a in ["x"', 10, "to close the list opened at column 6"),
        ("a in []", 7, "expected a string or a number in the list"),
        ("foo(a)", 1, "unknown function 'foo'"),
        ("selected(a)", 11, "expected ','"),
        ("selected(a, b)", 13, "expects an option key as a string"),
        ('selected(a/yes, "x")', 11, "remove '/yes'"),
        ('answered("a")', 10, "takes a question key first"),
        ("answered(a", 11, "to close answered( at column 9"),
        ('matches(a, "[")', 12, "invalid regular expression"),
        ('matches(a, "(x)\\\\1")', 12, "backreferences are not supported"),
        ('matches(a, "x(?=y)")', 12, "lookaround is not supported"),
        ('matches(a, "x(?<!y)")', 12, "lookaround is not supported"),
        ('matches(a, "x{5000}")', 12, "invalid repetition size"),
        ('matches(a, "x", "g")', 17, "unsupported regular expression flag 'g'"),
        ('contains(a/no, "x")', 11, "reads a text answer"),
        ("a/maybe", 2, "unknown suffix '/maybe'"),
        ("a /yes", 3, "'/' must follow a name directly"),
        ('a/yes == "x"', 2, "comparisons take a plain question key"),
        ("^(a)", 2, "expected a name after '^'"),
        ("^a/yes", 3, "'^' and '/yes' cannot be combined"),
        ("!", 2, "expected a condition after '!'"),
        ("a @ b", 3, "unexpected character '@'"),
        ("1 == a", 1, "expected a condition, found number 1"),
        ('"x"', 1, "expected a condition, found string"),
        ("12ab", 1, "malformed number '12ab'"),
        ("n < 1" + "0" * 5000, 5, "out of range"),
        ("n < 1e400", 5, "out of range"),
        ("true == x", 6, "expected '&&', '||' or the end"),
    ],
)
def test_syntax_errors_point_at_the_bad_token(source, column, fragment):
    with pytest.raises(ConditionError) as caught:
        parse(source)
    assert caught.value.column == column
    assert fragment in caught.value.message


def test_nesting_deeper_than_the_limit_is_an_error_not_a_crash():
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(ConditionError, match="nested more than"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ConditionError, match="nested more than"):
        parse("!" * (MAX_DEPTH + 1) + "a")


def test_a_long_flat_chain_parses_and_evaluates_without_recursion():
    from questionnaires.conditions import Context

    source = " || ".join(f"q{index}" for index in range(1000))
    assert parse(source).evaluate(Context({"q999": "yes"}))


def test_a_condition_over_the_length_limit_is_refused():
    with pytest.raises(ConditionError, match=f"the limit is {MAX_LENGTH}"):
        parse("a" * (MAX_LENGTH + 1))


def test_a_condition_that_is_not_a_string_is_refused_by_type():
    with pytest.raises(ConditionError, match="must be a string, not int"):
        parse(3)  # type: ignore[arg-type]


def test_renamed_replaces_names_everywhere_and_keeps_the_rest():
    condition = parse('vendor-a && ^b.c || !d/yes && selected(e-1, "x") && matches(b.c, "z")')
    renamed = condition.renamed({"vendor-a": "vendor_a", "b.c": "b_c", "e-1": "e_1"})
    assert renamed.source == 'vendor_a && ^b_c || !d/yes && selected(e_1, "x") && matches(b_c, "z")'
    assert renamed.names == {"vendor_a", "b_c", "d", "e_1"}


def test_renamed_refuses_a_replacement_that_is_not_a_name():
    with pytest.raises(ConditionError):
        parse("a && b").renamed({"a": "not a name"})


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (ConditionError("bad", column=4, path="sections[0].show_if"), "sections[0].show_if: column 4: bad"),
        (ConditionError("bad", column=4), "column 4: bad"),
        (ConditionError("bad", path="sections[0].show_if"), "sections[0].show_if: bad"),
        (ConditionError("bad", column=2).at("x.when"), "x.when: column 2: bad"),
    ],
)
def test_condition_error_text_has_path_and_column_when_known(error, text):
    assert str(error) == text


def test_errors_survive_pickling_as_celery_does():
    # Our own objects round-trip here; nothing untrusted is unpickled.
    error = pickle.loads(pickle.dumps(ConditionError("bad", column=3, path="p")))  # noqa: S301
    assert (error.message, error.column, error.path) == ("bad", 3, "p")
    problems = [{"field": "f", "message": "column 1: m"}]
    assert pickle.loads(pickle.dumps(TemplateError(problems))).errors == problems  # noqa: S301


def test_both_errors_are_value_errors():
    assert issubclass(ConditionError, ValueError)
    assert issubclass(TemplateError, ValueError)
