"""The syntax tree of a condition: each node evaluates itself and renders itself back.

Nodes are immutable and compare equal by structure (columns are left out of equality so a
re-parsed rendering equals the original). ``&&`` and ``||`` form one flat ``Chain``
evaluated left to right, as VSAQ does; a flat chain also keeps long conditions from
building deep trees, so nothing here recurses deeper than the parser's nesting limit.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import re2

from questionnaires.conditions.context import Context, is_selected, is_true

Number: TypeAlias = int | float
Scalar: TypeAlias = str | int | float
RefForm: TypeAlias = Literal["plain", "visible", "yes", "no", "value"]
Connective: TypeAlias = Literal["&&", "||"]

ORDERING: dict[str, Callable[[Number, Number], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
EQUALITY = ("==", "!=")
# JavaScript's flags as RE2's inline groups.
REGEX_FLAGS = {"i": "i", "m": "m", "s": "s"}


class Node:
    """A boolean expression."""

    __slots__ = ()

    def evaluate(self, ctx: Context) -> bool:
        raise NotImplementedError

    def render(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BoolLiteral(Node):
    value: bool

    def evaluate(self, ctx: Context) -> bool:
        return self.value

    def render(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """A name on its own: ``key``, ``^key``, ``key/yes``, ``key/no`` or ``key/value``."""

    name: str
    form: RefForm = "plain"
    column: int = field(default=0, compare=False)

    def evaluate(self, ctx: Context) -> bool:
        owner = ctx.owner(self.name)
        if owner is None:
            return self._question(ctx)
        return self._option(ctx, owner)

    def _question(self, ctx: Context) -> bool:
        if self.form == "visible":
            return ctx.is_visible(self.name)
        if self.form == "value":
            return ctx.answered(self.name)
        value = ctx.value(self.name)
        if self.form == "yes":
            return value is True or value == "yes"
        if self.form == "no":
            return value is False or value == "no"
        return is_true(ctx.kind(self.name), value)

    def _option(self, ctx: Context, owner: str) -> bool:
        if self.form == "visible":
            return ctx.is_visible(owner)
        selected = is_selected(ctx.value(owner), self.name)
        if self.form == "no":
            # Like key/no: only a given answer that leaves the option out says "no".
            return ctx.answered(owner) and not selected
        return selected

    def render(self) -> str:
        if self.form == "visible":
            return f"^{self.name}"
        if self.form == "plain":
            return self.name
        return f"{self.name}/{self.form}"


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node

    def evaluate(self, ctx: Context) -> bool:
        return not self.operand.evaluate(ctx)

    def render(self) -> str:
        if isinstance(self.operand, (Compare, Membership)):
            # "!key == 1" already means "!(key == 1)"; the parentheses say so to a reader.
            return f"!({self.operand.render()})"
        return f"!{_atom(self.operand)}"


@dataclass(frozen=True, slots=True)
class Chain(Node):
    """``first op operand op operand ...`` with ``&&`` and ``||`` of equal precedence."""

    first: Node
    rest: tuple[tuple[Connective, Node], ...]

    def evaluate(self, ctx: Context) -> bool:
        result = self.first.evaluate(ctx)
        for connective, operand in self.rest:
            # "x && y" is y when x holds and "x || y" is y when x fails; otherwise the
            # result stands and the operand is skipped (short-circuit).
            if (connective == "&&") == result:
                result = operand.evaluate(ctx)
        return result

    def render(self) -> str:
        parts = [_atom(self.first)]
        for connective, operand in self.rest:
            parts.append(f"{connective} {_atom(operand)}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``key == "x"``, ``key != "x"``, ``key < 10`` ...; false when key is unanswered."""

    name: str
    op: str
    literal: Scalar
    column: int = field(default=0, compare=False)
    literal_column: int = field(default=0, compare=False)

    def evaluate(self, ctx: Context) -> bool:
        if not ctx.answered(self.name):
            return False
        value = ctx.value(self.name)
        if self.op == "==":
            return _same(value, self.literal)
        if self.op == "!=":
            return not _same(value, self.literal)
        if not _is_number(value):
            return False
        return ORDERING[self.op](value, self.literal)  # type: ignore[arg-type]

    def render(self) -> str:
        return f"{self.name} {self.op} {render_literal(self.literal)}"


@dataclass(frozen=True, slots=True)
class Membership(Node):
    """``key in ["a", "b"]``: the answer (any of a multi_choice's answers) is listed."""

    name: str
    literals: tuple[Scalar, ...]
    column: int = field(default=0, compare=False)
    literal_columns: tuple[int, ...] = field(default=(), compare=False)

    def evaluate(self, ctx: Context) -> bool:
        if not ctx.answered(self.name):
            return False
        value = ctx.value(self.name)
        values = value if isinstance(value, (list, tuple)) else (value,)
        return any(_same(item, literal) for item in values for literal in self.literals)

    def render(self) -> str:
        listed = ", ".join(render_literal(literal) for literal in self.literals)
        return f"{self.name} in [{listed}]"


@dataclass(frozen=True, slots=True)
class Selected(Node):
    """``selected(key, "option")``."""

    name: str
    option: str
    column: int = field(default=0, compare=False)
    option_column: int = field(default=0, compare=False)

    def evaluate(self, ctx: Context) -> bool:
        return is_selected(ctx.value(self.name), self.option)

    def render(self) -> str:
        return f"selected({self.name}, {quote(self.option)})"


@dataclass(frozen=True, slots=True)
class Answered(Node):
    """``answered(key)``."""

    name: str
    column: int = field(default=0, compare=False)

    def evaluate(self, ctx: Context) -> bool:
        return ctx.answered(self.name)

    def render(self) -> str:
        return f"answered({self.name})"


# The bounds on regular expressions' cost (see Matches). A real pattern (an ID format, an
# e-mail address, a list of words) compiles to well under 200 instructions; 2,000 leaves
# room for long alternations while keeping one search of MATCH_MAX_CHARS to about 0.1 s.
MAX_PROGRAM_SIZE = 2_000
MAX_TEMPLATE_PROGRAM_SIZE = 10_000
# Conditions look for words and formats near the start of an answer; a long essay is
# searched in its first 10,000 characters only (docs/native-format.md, "Conditions").
MATCH_MAX_CHARS = 10_000

Subject: TypeAlias = Ref | str
"""What ``matches``/``contains`` look in: a question (``key`` or ``key/value``) or a text."""


@dataclass(frozen=True, slots=True)
class Matches(Node):
    """``matches(key, "regexp")`` or ``matches(key, "regexp", "flags")``: a search, as in JS.

    The expression is compiled by RE2, whose matching time is linear in the text: a
    template's author cannot write a pattern that backtracks for minutes on a vendor's
    answer (ReDoS) and stalls the web processes and workers that every tenant shares.
    RE2 refuses backreferences and lookaround, which VSAQ's questionnaires do not use.

    Linear is not cheap: RE2's time is the text's length times the compiled program's size
    (30 conditions like ``(.{1000})(.{1000})...x`` on a 20 KB answer took 92 s of one answer
    save). So a pattern may compile to at most MAX_PROGRAM_SIZE instructions (checked by
    the parser), a template's patterns to MAX_TEMPLATE_PROGRAM_SIZE together (checked by
    compile_template), and only the first MATCH_MAX_CHARS characters of a text are searched:
    every evaluation of a template's conditions is then bounded whatever the answers."""

    subject: Subject
    pattern: str
    flags: str = ""
    regex: object = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Compiled once here, so a condition parsed once never recompiles its regexp.
        object.__setattr__(self, "regex", re2.compile(_regex_flags(self.flags) + self.pattern,
                                                      _RE2_OPTIONS))

    @property
    def program_size(self) -> int:
        """RE2's measure of the compiled pattern: its cost per character searched."""
        return self.regex.programsize

    def evaluate(self, ctx: Context) -> bool:
        text = subject_text(self.subject, ctx)
        if text is None:
            return False
        # Searched up to MATCH_MAX_CHARS, with one more character as context, so "$" and
        # "\b" still mean the end of the answer and a word boundary, not the cut.
        return self.regex.search(text[:MATCH_MAX_CHARS + 1], 0, MATCH_MAX_CHARS) is not None

    def render(self) -> str:
        arguments = [render_subject(self.subject), quote(self.pattern)]
        if self.flags:
            arguments.append(quote(self.flags))
        return f"matches({', '.join(arguments)})"


@dataclass(frozen=True, slots=True)
class Contains(Node):
    """``contains(key, "text")``: the text answer contains the text."""

    subject: Subject
    needle: str

    def evaluate(self, ctx: Context) -> bool:
        text = subject_text(self.subject, ctx)
        return text is not None and self.needle in text

    def render(self) -> str:
        return f"contains({render_subject(self.subject)}, {quote(self.needle)})"


def subject_text(subject: Subject, ctx: Context) -> str | None:
    """The text a ``matches``/``contains`` looks in; None for a hidden or non-text answer."""
    if isinstance(subject, str):
        return subject
    value = ctx.value(subject.name)
    return value if isinstance(value, str) else None


def render_subject(subject: Subject) -> str:
    return quote(subject) if isinstance(subject, str) else subject.render()


def walk(node: Node) -> Iterator[Node]:
    """Every boolean node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Not):
            stack.append(current.operand)
        elif isinstance(current, Chain):
            stack.extend(operand for _, operand in reversed(current.rest))
            stack.append(current.first)


def named(node: Node) -> tuple[str, int] | None:
    """The name a node refers to and its column, or None when it names nothing."""
    if isinstance(node, (Ref, Compare, Membership, Selected, Answered)):
        return node.name, node.column
    if isinstance(node, (Matches, Contains)) and isinstance(node.subject, Ref):
        return node.subject.name, node.subject.column
    return None


def quote(text: str) -> str:
    """A string literal for ``text``: only ``\\`` and ``"`` need escaping."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def render_literal(literal: Scalar) -> str:
    return quote(literal) if isinstance(literal, str) else repr(literal)


def _atom(node: Node) -> str:
    """``node`` rendered so it can stand as an operand of ``!``, ``&&`` or ``||``."""
    if isinstance(node, Chain):
        return f"({node.render()})"
    return node.render()


def _same(value: object, literal: Scalar) -> bool:
    # True == 1 in Python; a check box's True must not equal the number 1.
    return not isinstance(value, bool) and value == literal


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _regex_flags(flags: str) -> str:
    """JavaScript flags as an inline group: "im" -> "(?im)"."""
    inline = "".join(sorted({REGEX_FLAGS[flag] for flag in flags}))
    return f"(?{inline})" if inline else ""


def _re2_options():
    options = re2.Options()
    options.log_errors = False  # a refused pattern is the author's error, reported to them
    options.max_mem = 8 << 20   # bounds the compiled program, as a hostile pattern could not
    return options


_RE2_OPTIONS = _re2_options()
