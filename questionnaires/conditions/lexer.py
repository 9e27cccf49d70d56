"""Turns a condition's text into tokens, each with the column where it starts.

Names follow VSAQ ids: a letter or ``_``, then letters, digits, ``_``, ``.`` or ``-``.
A ``/yes``, ``/no`` or ``/value`` written right after a name is a separate SUFFIX token.
Strings are double-quoted; a backslash makes the next character literal (``\\"`` is a
quote, ``\\\\`` a backslash, ``\\d`` a plain ``d``), which is exactly VSAQ's rule.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from typing import Literal, TypeAlias

from questionnaires.conditions.errors import ConditionError

TokenKind: TypeAlias = Literal["name", "suffix", "string", "number", "op", "end"]

NAME_START = frozenset(string.ascii_letters + "_")
NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
SUFFIXES = ("yes", "no", "value")
TWO_CHAR_OPS = ("&&", "||", "==", "!=", "<=", ">=")
ONE_CHAR_OPS = frozenset("!<>()[],^")
DOUBLED = {"&": "&&", "|": "||", "=": "=="}
DIGITS = frozenset(string.digits)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
SUFFIX_WORD = re.compile(r"[A-Za-z]*")


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    column: int
    value: str | int | float | None = None

    def describe(self) -> str:
        """How an error message names this token."""
        if self.kind == "end":
            return "the end of the condition"
        if self.kind == "name":
            return f"name '{self.text}'"
        if self.kind == "number":
            return f"number {self.text}"
        if self.kind == "string":
            return f"string {self.text}"
        return f"'{self.text}'"


def tokenize(expression: str) -> list[Token]:
    """The tokens of ``expression``, ending with an ``end`` token; raises ConditionError."""
    return _Lexer(expression).run()


class _Lexer:
    def __init__(self, expression: str) -> None:
        self.text = expression
        self.pos = 0
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        while True:
            self._skip_whitespace()
            if self.pos >= len(self.text):
                self.tokens.append(Token("end", "", self.pos + 1))
                return self.tokens
            self.tokens.append(self._next())

    def _skip_whitespace(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _next(self) -> Token:
        char = self.text[self.pos]
        if char in NAME_START:
            return self._name()
        if char in DIGITS or (char == "-" and self._peek(1) in DIGITS):
            return self._number()
        if char == '"':
            return self._string()
        if char == "/":
            if self.tokens and self.tokens[-1].kind == "name" and self._touches_previous():
                return self._suffix()
            raise self._error("'/' must follow a name directly, as in 'key/yes'")
        return self._operator(char)

    def _peek(self, offset: int) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _touches_previous(self) -> bool:
        previous = self.tokens[-1]
        return previous.column - 1 + len(previous.text) == self.pos

    def _name(self) -> Token:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in NAME_CHARS:
            self.pos += 1
        name = self.text[start : self.pos]
        return Token("name", name, start + 1, name)

    def _suffix(self) -> Token:
        start = self.pos
        match = SUFFIX_WORD.match(self.text, start + 1)
        assert match is not None  # the pattern matches the empty string
        word = match.group()
        if word not in SUFFIXES:
            shown = f"'/{word}'" if word else "'/' without a word"
            raise self._error(f"unknown suffix {shown}; expected /yes, /no or /value")
        self.pos = match.end()
        return Token("suffix", f"/{word}", start + 1, word)

    def _number(self) -> Token:
        start = self.pos
        match = NUMBER.match(self.text, start)
        assert match is not None  # _next checked that a digit starts here
        end = match.end()
        if end < len(self.text) and self.text[end] in NAME_CHARS:
            while end < len(self.text) and self.text[end] in NAME_CHARS:
                end += 1
            word = self.text[start:end]
            raise self._error(f"malformed number '{word}' (names start with a letter or '_')")
        text = match.group()
        value = _number_value(text)
        if value is None:
            raise self._error(f"number {text} is out of range")
        self.pos = end
        return Token("number", text, start + 1, value)

    def _string(self) -> Token:
        start = self.pos
        chars: list[str] = []
        index = start + 1
        while index < len(self.text):
            char = self.text[index]
            if char == '"':
                self.pos = index + 1
                return Token("string", self.text[start : self.pos], start + 1, "".join(chars))
            if char == "\\":
                index += 1
                if index == len(self.text):
                    break
                char = self.text[index]
            chars.append(char)
            index += 1
        raise self._error("unterminated string: no closing '\"'")

    def _operator(self, char: str) -> Token:
        start = self.pos
        pair = self.text[start : start + 2]
        if pair in TWO_CHAR_OPS:
            self.pos += 2
            return Token("op", pair, start + 1)
        if char in ONE_CHAR_OPS:
            self.pos += 1
            return Token("op", char, start + 1)
        if char in DOUBLED:
            raise self._error(f"'{char}' must be doubled: write '{DOUBLED[char]}'")
        raise self._error(f"unexpected character {char!r}")

    def _error(self, message: str) -> ConditionError:
        return ConditionError(message, column=self.pos + 1)


def _number_value(text: str) -> int | float | None:
    """The value of a NUMBER match, or None when Python cannot hold it exactly enough."""
    if not any(c in text for c in ".eE"):
        try:
            return int(text)
        except ValueError:  # more digits than int() converts (sys.int_info)
            return None
    value = float(text)
    return value if math.isfinite(value) else None
