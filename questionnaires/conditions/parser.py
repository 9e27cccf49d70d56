"""Recursive-descent parser: condition text -> ``Condition`` (parse once, evaluate many).

Grammar (``&&`` and ``||`` share one precedence level and group left to right, as VSAQ)::

    chain      := unary (("&&" | "||") unary)*
    unary      := "!" unary | primary
    primary    := "(" chain ")" | "true" | "false" | call | "^" NAME
                | NAME SUFFIX? | NAME comparison
    comparison := ("==" | "!=") literal | ("<" | "<=" | ">" | ">=") NUMBER
                | "in" "[" literal ("," literal)* "]"
    call       := "selected" "(" NAME "," STRING ")" | "answered" "(" NAME ")"
                | "matches" "(" subject "," STRING ("," STRING)? ")"
                | "contains" "(" subject "," STRING ")"
    subject    := NAME | NAME "/value" | STRING
    literal    := STRING | NUMBER
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

import re2

from questionnaires.conditions.context import Context
from questionnaires.conditions.errors import ConditionError
from questionnaires.conditions.lexer import Token, tokenize
from questionnaires.conditions.nodes import (
    EQUALITY,
    MAX_PROGRAM_SIZE,
    ORDERING,
    REGEX_FLAGS,
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
    Scalar,
    Selected,
    named,
    walk,
)

MAX_LENGTH = 10_000
"""Longest condition accepted; VSAQ's longest is about 200 characters."""
MAX_DEPTH = 64
"""Deepest nesting of parentheses, calls and ``!``; bounds recursion while parsing and
evaluating, so hostile input gets a ConditionError instead of a RecursionError."""
FUNCTIONS = ("answered", "contains", "matches", "selected")
COMPARISONS = frozenset(EQUALITY) | frozenset(ORDERING)


class Condition:
    """A parsed condition: ``source`` as written, ``names`` it refers to (question or
    option keys, without ``^`` or ``/yes``), and ``evaluate(ctx)`` against a ``Context``.

    Two conditions are equal when their trees are, whatever their spacing or redundant
    parentheses; ``node.render()`` gives the canonical text.
    """

    __slots__ = ("source", "node", "names")

    def __init__(self, source: str, node: Node) -> None:
        self.source = source
        self.node = node
        self.names: frozenset[str] = frozenset(
            reference[0] for reference in map(named, walk(node)) if reference is not None
        )

    @property
    def program_size(self) -> int:
        """The compiled size of its regular expressions together (0 without any)."""
        return sum(node.program_size for node in walk(self.node) if isinstance(node, Matches))

    def evaluate(self, ctx: Context) -> bool:
        """Whether the condition holds for the answers and visibility in ``ctx``."""
        return bool(self.node.evaluate(ctx))

    def renamed(self, names: Mapping[str, str]) -> Condition:
        """The same condition with names replaced (``names`` maps old to new); names
        missing from the mapping stay. Raises ConditionError if a new name is not one."""
        return parse(_rename(self.node, names).render())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and self.node == other.node

    def __hash__(self) -> int:
        return hash(self.node)

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"

    def __str__(self) -> str:
        return self.source


def parse(expression: str) -> Condition:
    """Parse ``expression``; raises ConditionError with the column of the first mistake."""
    if not isinstance(expression, str):
        raise ConditionError(f"a condition must be a string, not {type(expression).__name__}")
    if len(expression) > MAX_LENGTH:
        raise ConditionError(f"condition is {len(expression)} characters; the limit is {MAX_LENGTH}")
    if not expression.strip():
        raise ConditionError("empty condition; leave the field out to always show", column=1)
    return Condition(expression, _Parser(tokenize(expression)).parse())


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self._chain()
        token = self._peek()
        if token.kind == "end":
            return node
        if self._at(")"):
            raise _error(token, "unexpected ')' with no '(' to close")
        raise _error(token, f"expected '&&', '||' or the end of the condition, found {token.describe()}")

    # -- tokens ------------------------------------------------------------------

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def _at(self, text: str) -> bool:
        token = self._peek()
        return token.kind == "op" and token.text == text

    def _expect(self, text: str, purpose: str) -> Token:
        token = self._peek()
        if not self._at(text):
            raise _error(token, f"expected '{text}' {purpose}, found {token.describe()}")
        return self._advance()

    @contextmanager
    def _nested(self, token: Token) -> Iterator[None]:
        if self.depth == MAX_DEPTH:
            raise _error(token, f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    # -- boolean structure -------------------------------------------------------

    def _chain(self) -> Node:
        first = self._unary(after=None)
        rest = []
        while self._at("&&") or self._at("||"):
            connective = self._advance().text
            rest.append((connective, self._unary(after=connective)))
        return Chain(first, tuple(rest)) if rest else first  # type: ignore[arg-type]

    def _unary(self, after: str | None) -> Node:
        token = self._peek()
        if not self._at("!"):
            return self._primary(after)
        self._advance()
        with self._nested(token):
            return Not(self._unary(after="!"))

    def _primary(self, after: str | None) -> Node:
        token = self._peek()
        if self._at("("):
            self._advance()
            with self._nested(token):
                node = self._chain()
            self._expect(")", f"to close the '(' at column {token.column}")
            return node
        if self._at("^"):
            return self._visibility()
        if token.kind == "name":
            if token.text in ("true", "false"):
                return BoolLiteral(self._advance().text == "true")
            if self.tokens[self.index + 1].text == "(":
                return self._call()
            return self._reference_or_comparison()
        where = f" after '{after}'" if after else ""
        raise _error(token, f"expected a condition{where}, found {token.describe()}")

    # -- names -------------------------------------------------------------------

    def _visibility(self) -> Ref:
        self._advance()
        token = self._peek()
        if token.kind != "name":
            raise _error(token, f"expected a name after '^', found {token.describe()}")
        self._advance()
        suffix = self._peek()
        if suffix.kind == "suffix":
            raise _error(suffix, f"'^' and '{suffix.text}' cannot be combined; write '^{token.text}'")
        return Ref(token.text, "visible", token.column)

    def _reference_or_comparison(self) -> Node:
        token = self._advance()
        suffix = self._advance() if self._peek().kind == "suffix" else None
        form = "plain" if suffix is None else str(suffix.value)
        following = self._peek()
        is_in = following.kind == "name" and following.text == "in"
        if not (is_in or (following.kind == "op" and following.text in COMPARISONS)):
            return Ref(token.text, form, token.column)  # type: ignore[arg-type]
        if suffix is not None:
            raise _error(suffix, f"comparisons take a plain question key; remove '{suffix.text}'")
        if is_in:
            return self._membership(token)
        return self._comparison(token)

    def _comparison(self, name: Token) -> Compare:
        op = self._advance().text
        literal = self._peek()
        if op in ORDERING and literal.kind != "number":
            raise _error(literal, f"'{op}' compares numbers; expected a number, found {literal.describe()}")
        value = self._literal(f"after '{op}'")
        return Compare(name.text, op, value, name.column, literal.column)

    def _membership(self, name: Token) -> Membership:
        self._advance()
        opening = self._expect("[", "after 'in'")
        literals: list[Scalar] = []
        columns: list[int] = []
        while True:
            columns.append(self._peek().column)
            literals.append(self._literal("in the list"))
            if not self._at(","):
                break
            self._advance()
        self._expect("]", f"or ',' to close the list opened at column {opening.column}")
        return Membership(name.text, tuple(literals), name.column, tuple(columns))

    def _literal(self, where: str) -> Scalar:
        token = self._peek()
        if token.kind not in ("string", "number"):
            raise _error(token, f"expected a string or a number {where}, found {token.describe()}")
        self._advance()
        return token.value  # type: ignore[return-value]

    # -- calls -------------------------------------------------------------------

    def _call(self) -> Node:
        function = self._advance()
        if function.text not in FUNCTIONS:
            raise _error(function, f"unknown function '{function.text}'; expected one of {', '.join(FUNCTIONS)}")
        opening = self._advance()
        with self._nested(opening):
            node = getattr(self, f"_call_{function.text}")(function.text)
        self._expect(")", f"to close {function.text}( at column {opening.column}")
        return node

    def _call_selected(self, function: str) -> Selected:
        key = self._key_argument(function)
        self._expect(",", f"after the question key of {function}()")
        option = self._string_argument(function, "an option key")
        return Selected(key.text, str(option.value), key.column, option.column)

    def _call_answered(self, function: str) -> Answered:
        key = self._key_argument(function)
        return Answered(key.text, key.column)

    def _call_contains(self, function: str) -> Contains:
        subject = self._subject(function)
        self._expect(",", f"after the first argument of {function}()")
        needle = self._string_argument(function, "the text to look for")
        return Contains(subject, str(needle.value))

    def _call_matches(self, function: str) -> Matches:
        subject = self._subject(function)
        self._expect(",", f"after the first argument of {function}()")
        pattern = self._string_argument(function, "a regular expression")
        flags = ""
        if self._at(","):
            self._advance()
            flags_token = self._string_argument(function, "regular expression flags")
            flags = _check_flags(flags_token)
        try:
            node = Matches(subject, str(pattern.value), flags)
        except re2.error as error:
            # RE2 names what it refuses: a syntax error, a repeat count over 1000, a
            # pattern too large for its memory budget, or a backreference or lookaround
            # (RE2 matches in linear time, so it has neither).
            raise _error(pattern, f"invalid regular expression: {_re2_reason(error)}") from None
        if node.program_size > MAX_PROGRAM_SIZE:
            raise _error(pattern, f"regular expression too costly: it compiles to "
                                  f"{node.program_size:,} instructions, over the "
                                  f"{MAX_PROGRAM_SIZE:,} allowed (every search costs this "
                                  "for each character; simplify it, e.g. fewer or smaller "
                                  "repeat counts)")
        return node

    def _key_argument(self, function: str) -> Token:
        token = self._peek()
        if token.kind != "name":
            raise _error(token, f"{function}() takes a question key first, found {token.describe()}")
        self._advance()
        suffix = self._peek()
        if suffix.kind == "suffix":
            raise _error(suffix, f"{function}() takes a plain question key; remove '{suffix.text}'")
        return token

    def _subject(self, function: str) -> Ref | str:
        token = self._peek()
        if token.kind == "string":
            return str(self._advance().value)
        if token.kind != "name":
            raise _error(token, f"{function}() takes a question key or a string first, found {token.describe()}")
        self._advance()
        if self._peek().kind != "suffix":
            return Ref(token.text, "plain", token.column)
        suffix = self._advance()
        if suffix.value != "value":
            raise _error(suffix, f"{function}() reads a text answer; write '{token.text}' or '{token.text}/value'")
        return Ref(token.text, "value", token.column)

    def _string_argument(self, function: str, what: str) -> Token:
        token = self._peek()
        if token.kind != "string":
            raise _error(token, f"{function}() expects {what} as a string, found {token.describe()}")
        return self._advance()


def _re2_reason(error: Exception) -> str:
    raw = error.args[0] if error.args else str(error)
    detail = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    if "invalid perl operator: (?<" in detail or "invalid perl operator: (?=" in detail \
            or "invalid perl operator: (?!" in detail:
        return f"{detail} (lookaround is not supported: matching must stay linear in time)"
    if "invalid escape sequence: \\" in detail and any(d in detail for d in "123456789"):
        return f"{detail} (backreferences are not supported: matching must stay linear in time)"
    return detail


def _check_flags(token: Token) -> str:
    flags = str(token.value)
    unknown = sorted(set(flags) - set(REGEX_FLAGS))
    if unknown:
        raise _error(token, f"unsupported regular expression flag '{unknown[0]}'; use i, m or s")
    return flags


def _error(token: Token, message: str) -> ConditionError:
    return ConditionError(message, column=token.column)


def _rename(node: Node, names: Mapping[str, str]) -> Node:
    if isinstance(node, Not):
        return Not(_rename(node.operand, names))
    if isinstance(node, Chain):
        rest = tuple((connective, _rename(operand, names)) for connective, operand in node.rest)
        return Chain(_rename(node.first, names), rest)
    if isinstance(node, (Matches, Contains)):
        if isinstance(node.subject, Ref):
            return replace(node, subject=_rename(node.subject, names))
        return node
    reference = named(node)
    if reference is None:
        return node
    return replace(node, name=names.get(reference[0], reference[0]))  # type: ignore[call-arg]
