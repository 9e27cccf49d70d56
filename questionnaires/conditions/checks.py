"""Checks a parsed condition against a template: every name resolves, and every use fits.

A bare name may be a question key or an option key that only one question offers;
comparisons and functions need a question key, of a kind they can read. Each problem is
a ConditionError at the column of the name or literal at fault, so a typo in an import
is refused with its exact place instead of silently evaluating to false forever.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from questionnaires.conditions.errors import ConditionError
from questionnaires.conditions.nodes import (
    ORDERING,
    Answered,
    Compare,
    Contains,
    Matches,
    Membership,
    Node,
    Ref,
    Scalar,
    Selected,
    named,
    walk,
)
from questionnaires.conditions.parser import Condition
from questionnaires.conditions.structure import CHOICE_KINDS, QuestionInfo

TEXT_KINDS = frozenset({"short_text", "long_text", "date", "single_choice", "yes_no"})
"""Kinds whose answer is one string, so matches() and contains() can read it."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """A question a condition reads, and the name and column that made it read it."""

    question: str
    name: str
    column: int


class TemplateNames:
    """What names mean in one template."""

    def __init__(
        self, questions: dict[str, QuestionInfo], option_owners: dict[str, list[str]], sections: set[str]
    ) -> None:
        self.questions = questions
        self.option_owners = option_owners
        self.sections = sections

    def bare_options(self) -> dict[str, str]:
        """Option keys that can be named bare -> their question: unique, and no question's key."""
        return {
            option: owners[0]
            for option, owners in self.option_owners.items()
            if len(owners) == 1 and option not in self.questions
        }


def check_condition(condition: Condition, names: TemplateNames) -> tuple[list[ConditionError], list[Dependency]]:
    """The problems of ``condition`` in this template, and the questions it depends on."""
    problems: list[ConditionError] = []
    dependencies: list[Dependency] = []
    for node in walk(condition.node):
        for column, message in _problems(node, names):
            problems.append(ConditionError(message, column=column))
        dependency = _dependency(node, names)
        if dependency is not None:
            dependencies.append(dependency)
    return problems, dependencies


def _dependency(node: Node, names: TemplateNames) -> Dependency | None:
    reference = named(node)
    if reference is None:
        return None
    name, column = reference
    if name in names.questions:
        return Dependency(name, name, column)
    owners = names.option_owners.get(name, [])
    if len(owners) == 1:
        return Dependency(owners[0], name, column)
    return None  # unknown or ambiguous: reported as a problem, so no edge is needed


def _problems(node: Node, names: TemplateNames) -> Iterator[tuple[int, str]]:
    if isinstance(node, Ref):
        yield from _check_ref(node, names)
    elif isinstance(node, (Matches, Contains)):
        if isinstance(node.subject, Ref):
            function = "matches()" if isinstance(node, Matches) else "contains()"
            yield from _check_text_subject(node.subject, function, names)
    elif isinstance(node, (Compare, Membership, Selected, Answered)):
        problem = _not_a_question(node.name, node.column, names, _function_of(node))
        if problem is not None:
            yield problem
        else:
            yield from _check_use(node, names.questions[node.name])


def _check_ref(ref: Ref, names: TemplateNames) -> Iterator[tuple[int, str]]:
    question = names.questions.get(ref.name)
    if question is None:
        yield from _check_option(ref, names)
    elif question.kind == "info" and ref.form in ("plain", "value"):
        yield ref.column, f"'{ref.name}' is an info question and never answered; write '^{ref.name}' for its visibility"
    elif ref.form in ("yes", "no") and question.kind != "yes_no":
        yield (
            ref.column,
            (
                f"'{ref.render()}' needs a yes_no question; '{ref.name}' is {question.kind}, "
                f'write selected({ref.name}, "...") instead'
            ),
        )


def _check_option(ref: Ref, names: TemplateNames) -> Iterator[tuple[int, str]]:
    owners = names.option_owners.get(ref.name)
    if not owners:
        yield ref.column, _unknown(ref.name, names)
    elif len(owners) > 1:
        both = " and ".join(f"'{owner}'" for owner in owners)
        yield (
            ref.column,
            (
                f"'{ref.name}' is ambiguous: it is an option of {both}; "
                f'write selected({owners[0]}, "{ref.name}") to say which'
            ),
        )
    elif ref.form == "value":
        yield ref.column, f"'{ref.name}' is an option of '{owners[0]}'; '/value' reads a question's answer"


def _not_a_question(name: str, column: int, names: TemplateNames, function: str) -> tuple[int, str] | None:
    """The problem when ``name`` is not a question key, for uses that need one."""
    if name in names.questions:
        return None
    owners = names.option_owners.get(name)
    if not owners:
        return column, _unknown(name, names)
    return column, (
        f"{function} needs a question key, but '{name}' is an option of '{owners[0]}'; "
        f'write selected({owners[0]}, "{name}")'
    )


def _check_text_subject(subject: Ref, function: str, names: TemplateNames) -> Iterator[tuple[int, str]]:
    problem = _not_a_question(subject.name, subject.column, names, function)
    if problem is not None:
        yield problem
    elif (kind := names.questions[subject.name].kind) not in TEXT_KINDS:
        yield subject.column, f"{function} reads a text answer, but '{subject.name}' is a {kind} question"


def _check_use(node: Node, question: QuestionInfo) -> Iterator[tuple[int, str]]:
    key, kind = question.key, question.kind
    if isinstance(node, Answered):
        if kind == "info":
            yield node.column, f"'{key}' is an info question and never answered"
    elif isinstance(node, Selected):
        if kind not in CHOICE_KINDS:
            yield node.column, f"selected() needs a choice question, but '{key}' is a {kind} question"
        elif node.option not in question.answers:
            yield node.option_column, _not_an_answer(node.option, question)
    elif isinstance(node, Compare) and node.op in ORDERING:
        if kind != "number":
            yield node.column, f"'{node.op}' compares numbers, but '{key}' is a {kind} question"
    elif isinstance(node, Compare) and kind == "multi_choice":
        # A list never equals a string; the author means one of the selected options.
        yield node.column, f"'{key}' is a multi_choice question; write selected({key}, \"...\") to test one option"
    elif kind in ("file", "info"):
        yield node.column, f"'{key}' is a {kind} question; its answer cannot be compared, use answered({key})"
    elif isinstance(node, Compare):
        yield from _check_literal(node.literal, node.literal_column, question)
    elif isinstance(node, Membership):
        for literal, column in zip(node.literals, node.literal_columns, strict=True):
            yield from _check_literal(literal, column, question)


def _check_literal(literal: Scalar, column: int, question: QuestionInfo) -> Iterator[tuple[int, str]]:
    key, kind = question.key, question.kind
    if kind == "number":
        if isinstance(literal, str):
            yield column, f"'{key}' is a number question; compare it with a number, not \"{literal}\""
    elif isinstance(literal, (int, float)):
        yield column, f"'{key}' is a {kind} question; compare it with a string, not {literal!r}"
    elif kind in CHOICE_KINDS and literal not in question.answers:
        yield column, _not_an_answer(literal, question)


def _not_an_answer(value: str, question: QuestionInfo) -> str:
    expected = ", ".join(sorted(question.answers)) or "none"
    return f"\"{value}\" is not an answer of '{question.key}' (its answers: {expected})"


def _unknown(name: str, names: TemplateNames) -> str:
    if name in names.sections:
        return f"'{name}' is a section; conditions name questions and options"
    known = [*names.questions, *names.option_owners]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown name '{name}': no question or option has this key{hint}"


def _function_of(node: Node) -> str:
    if isinstance(node, Selected):
        return "selected()"
    if isinstance(node, Answered):
        return "answered()"
    if isinstance(node, Membership):
        return "'in'"
    assert isinstance(node, Compare)
    return f"'{node.op}'"
