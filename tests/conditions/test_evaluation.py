"""Truth tables for every construct, evaluated against a hand-built Context."""

from __future__ import annotations

import pytest

from questionnaires.conditions import Context, is_answered, parse

KINDS = {
    "yn": "yes_no",
    "sc": "single_choice",
    "mc": "multi_choice",
    "txt": "short_text",
    "num": "number",
    "day": "date",
    "doc": "file",
    "note": "info",
}
# opt_a is offered by single_choice "sc", opt_m by multi_choice "mc".
OPTION_OWNERS = {"opt_a": "sc", "opt_m": "mc"}
HIDDEN = object()
"""Marks an answer given to a question that is hidden."""


def holds(source: str, **answers: object) -> bool:
    hidden = {key for key, value in answers.items() if value is HIDDEN}
    raw = {key: value for key, value in answers.items() if value is not HIDDEN}
    # A hidden question keeps a real raw answer, so "hidden counts false" is really tested.
    for key in hidden:
        raw[key] = {"yn": "yes", "sc": "opt_a", "mc": ["opt_m"], "txt": "abc", "num": 5}.get(key, "yes")
    ctx = Context(raw, hidden=hidden, kinds=KINDS, option_owners=OPTION_OWNERS)
    return parse(source).evaluate(ctx)


TABLE = [
    # A bare question name: visible and answered with a true value.
    ("yn", {"yn": "yes"}, True),
    ("yn", {"yn": "no"}, False),
    ("yn", {"yn": "na"}, False),
    ("yn", {}, False),
    ("yn", {"yn": True}, True),
    ("yn", {"yn": False}, False),
    ("yn", {"yn": HIDDEN}, False),
    ("yn", {"yn": ["yes"]}, False),  # raw input of the wrong shape is no answer, not a crash
    ("sc", {"sc": "b"}, True),
    ("sc", {"sc": ""}, False),
    ("mc", {"mc": ["a"]}, True),
    ("mc", {"mc": []}, False),
    ("txt", {"txt": "x"}, True),
    ("txt", {"txt": ""}, False),
    ("num", {"num": 0}, True),
    ("num", {"num": None}, False),
    ("day", {"day": "2024-05-01"}, True),
    ("doc", {"doc": ["evidence-1"]}, True),
    ("doc", {"doc": []}, False),
    ("note", {"note": "anything"}, False),
    ("txt", {"txt": HIDDEN}, False),
    # A bare option name: its question visible and the option selected.
    ("opt_a", {"sc": "opt_a"}, True),
    ("opt_a", {"sc": "b"}, False),
    ("opt_a", {}, False),
    ("opt_a", {"sc": HIDDEN}, False),
    ("opt_m", {"mc": ["b", "opt_m"]}, True),
    ("opt_m", {"mc": ["b"]}, False),
    ("opt_m", {"mc": HIDDEN}, False),
    # /yes and /no: answered so, and visible.
    ("yn/yes", {"yn": "yes"}, True),
    ("yn/yes", {"yn": "no"}, False),
    ("yn/yes", {}, False),
    ("yn/yes", {"yn": HIDDEN}, False),
    ("yn/no", {"yn": "no"}, True),
    ("yn/no", {"yn": "yes"}, False),
    ("yn/no", {}, False),
    ("yn/no", {"yn": "na"}, False),
    ("opt_a/yes", {"sc": "opt_a"}, True),
    ("opt_a/no", {"sc": "b"}, True),
    ("opt_a/no", {"sc": "opt_a"}, False),
    ("opt_a/no", {}, False),
    # /value: answered at all (na included).
    ("yn/value", {"yn": "na"}, True),
    ("txt/value", {"txt": "x"}, True),
    ("txt/value", {"txt": ""}, False),
    ("txt/value", {"txt": HIDDEN}, False),
    # ^: visible, answered or not.
    ("^yn", {}, True),
    ("^yn", {"yn": HIDDEN}, False),
    ("^opt_a", {}, True),
    ("^opt_a", {"sc": HIDDEN}, False),
    # Literals, negation and left-to-right chains.
    ("true", {}, True),
    ("false", {}, False),
    ("!yn", {"yn": "no"}, True),
    ("!yn", {"yn": HIDDEN}, True),
    ("!!yn", {"yn": "yes"}, True),
    ("yn && txt", {"yn": "yes", "txt": "x"}, True),
    ("yn && txt", {"yn": "yes"}, False),
    ("yn || txt", {"txt": "x"}, True),
    ("yn || txt", {}, False),
    ("true || false && false", {}, False),  # (true || false) && false; C precedence gives true
    ("false && false || true", {}, True),
    ("true || (false && false)", {}, True),
    ("!(yn || txt)", {}, True),
    # == and !=: false when hidden or unanswered, != included.
    ('yn == "yes"', {"yn": "yes"}, True),
    ('yn == "yes"', {"yn": "no"}, False),
    ('yn == "yes"', {"yn": HIDDEN}, False),
    ('yn != "no"', {"yn": "yes"}, True),
    ('yn != "no"', {"yn": "no"}, False),
    ('yn != "no"', {}, False),
    ('yn != "no"', {"yn": HIDDEN}, False),
    ("num == 5", {"num": 5.0}, True),
    ("num == 1", {"num": True}, False),  # a check box's True is not the number 1
    ("num != 1", {"num": 2}, True),
    # Ordering on numbers only.
    ("num < 10", {"num": 5}, True),
    ("num < 10", {"num": 10}, False),
    ("num <= 10", {"num": 10}, True),
    ("num > 2.5", {"num": 3}, True),
    ("num >= 3", {"num": 2}, False),
    ("num > -1", {"num": 0}, True),
    ("num < 10", {"num": "5"}, False),
    ("num < 10", {"num": True}, False),
    ("num < 10", {}, False),
    ("num < 10", {"num": HIDDEN}, False),
    # in: the answer, or any of a multi_choice's answers, is listed.
    ('sc in ["a", "b"]', {"sc": "b"}, True),
    ('sc in ["a", "b"]', {"sc": "c"}, False),
    ('sc in ["a", "b"]', {}, False),
    ('mc in ["a", "z"]', {"mc": ["b", "z"]}, True),
    ('mc in ["a", "z"]', {"mc": ["b"]}, False),
    ("num in [1, 2]", {"num": 2}, True),
    ('sc in ["opt_a"]', {"sc": HIDDEN}, False),
    # selected() and answered().
    ('selected(sc, "a")', {"sc": "a"}, True),
    ('selected(sc, "a")', {"sc": "b"}, False),
    ('selected(mc, "a")', {"mc": ["a", "b"]}, True),
    ('selected(mc, "a")', {"mc": ["b"]}, False),
    ('selected(sc, "opt_a")', {"sc": HIDDEN}, False),
    ("answered(yn)", {"yn": "na"}, True),
    ("answered(yn)", {"yn": "maybe"}, False),
    ("answered(yn)", {}, False),
    ("answered(txt)", {"txt": ""}, False),
    ("answered(mc)", {"mc": []}, False),
    ("answered(num)", {"num": 0}, True),
    ("answered(txt)", {"txt": HIDDEN}, False),
    ("answered(note)", {"note": "text"}, False),
    # matches() searches like JS's String.match; contains() is a substring test.
    ('matches(txt, "^ab")', {"txt": "abc"}, True),
    ('matches(txt, "^ab")', {"txt": "xab"}, False),
    ('matches(txt, "b")', {"txt": "abc"}, True),
    ('matches(txt, "AB", "i")', {"txt": "abc"}, True),
    ('matches(txt, "AB")', {"txt": "abc"}, False),
    ('matches(txt/value, "a")', {"txt": "abc"}, True),
    ('matches(txt, "a")', {"txt": HIDDEN}, False),
    ('matches(num, "5")', {"num": 5}, False),
    ('matches(txt, "a")', {}, False),
    ('matches("abc", "b")', {}, True),
    ('contains(txt, "b")', {"txt": "abc"}, True),
    ('contains(txt, "d")', {"txt": "abc"}, False),
    ('contains(txt, "a")', {"txt": HIDDEN}, False),
    ('contains("abc", "d")', {}, False),
]


@pytest.mark.parametrize(("source", "answers", "expected"), TABLE)
def test_truth_table(source, answers, expected):
    assert holds(source, **answers) is expected


VSAQ_RECOVERY = (
    "application_custom_auth_recovery_questions && "
    "!(application_custom_auth_recovery_resetlink || application_custom_auth_recovery_newpwd)"
)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (["application_custom_auth_recovery_questions"], True),
        (["application_custom_auth_recovery_questions", "application_custom_auth_recovery_newpwd"], False),
        (["application_custom_auth_recovery_resetlink"], False),
        ([], False),
    ],
)
def test_a_vsaq_condition_over_checkgroup_choices_reads_as_vsaq_does(selected, expected):
    owners = {
        option: "recovery"
        for option in (
            "application_custom_auth_recovery_questions",
            "application_custom_auth_recovery_resetlink",
            "application_custom_auth_recovery_newpwd",
        )
    }
    ctx = Context({"recovery": selected}, kinds={"recovery": "multi_choice"}, option_owners=owners)
    assert parse(VSAQ_RECOVERY).evaluate(ctx) is expected


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("no", False), ("na", False), ("text", True)])
def test_without_kinds_a_bare_name_reads_yes_no_answers_as_a_person_would(value, expected):
    assert parse("q").evaluate(Context({"q": value})) is expected


def test_a_name_offered_as_option_and_unknown_to_the_answers_reads_false():
    assert parse("opt").evaluate(Context({}, option_owners={"opt": "q"})) is False


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("yes_no", "yes", True),
        ("yes_no", "no", True),
        ("yes_no", "na", True),
        ("yes_no", "maybe", False),
        ("yes_no", ["yes"], False),
        ("yes_no", True, True),
        ("single_choice", "a", True),
        ("multi_choice", [], False),
        ("multi_choice", ["a"], True),
        ("short_text", "", False),
        ("long_text", "x", True),
        ("number", 0, True),
        ("date", "2024-01-01", True),
        ("file", [], False),
        ("file", ["evidence-1"], True),
        ("info", "x", False),
        ("short_text", None, False),
        (None, "x", True),
    ],
)
def test_is_answered_by_kind(kind, value, expected):
    assert is_answered(kind, value) is expected


def test_evaluation_returns_a_bool_not_the_answer():
    assert parse("txt").evaluate(Context({"txt": "abc"}, kinds=KINDS)) is True


# JavaScript semantics the VSAQ authors wrote against, which RE2 keeps and Python's re does
# not: `$` is the end of the text (not also before a final newline) unless "m" is given.
@pytest.mark.parametrize(("source", "answers", "expected"), [
    ('matches(txt, "^ab$")', {"txt": "ab\n"}, False),
    ('matches(txt, "^ab$", "m")', {"txt": "x\nab\ny"}, True),
    ('matches(txt, "a.b")', {"txt": "a\nb"}, False),
    ('matches(txt, "a.b", "s")', {"txt": "a\nb"}, True),
    ('matches(txt, "^ÉTÉ$", "i")', {"txt": "été"}, True),
])
def test_anchors_dots_and_case_read_as_in_javascript(source, answers, expected):
    assert holds(source, **answers) is expected


def test_a_backtracking_pattern_on_a_long_answer_finishes_instead_of_stalling_the_server():
    """`(a+)+$` against 30 a's and a '!' takes a backtracking engine (Python's re, a browser's
    JS) about 2^30 steps; a template author could hang every web process and worker that
    evaluates it. RE2 is linear: 100,000 characters finish at once. The evaluation runs in
    a thread so that a regression fails here instead of hanging the suite."""
    import threading

    outcome: list[bool] = []
    text = "a" * 100_000 + "!"
    worker = threading.Thread(target=lambda: outcome.append(
        holds('matches(txt, "(a+)+$")', txt=text) or holds('matches(txt, "(a|aa)*c")', txt=text)),
        daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome == [False], "the pattern did not finish: matching is not linear-time"
