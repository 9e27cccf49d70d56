"""How numbers and answers are written in explanations.

One place, so every sentence the engine produces writes 78.5 the same way and a change
of wording is one edit (and an ``ENGINE_VERSION`` bump, since results are compared as
bytes).
"""

from __future__ import annotations


def num(value: float) -> str:
    """A number as a person writes it: two decimals at most, no trailing zeros (78.5, 80)."""
    if type(value) is int:  # the common case (an hours or days answer), and cheap
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def shown(value: float) -> float:
    """A number as the result carries it: rounded to 2 decimals, never -0.0 (which JSON
    would write differently from 0.0).

    Formatting and parsing back gives the same correctly rounded value as ``round(value,
    2)`` at about half the cost, which shows when every question of a large template is
    rounded.
    """
    return float(f"{value:.2f}") + 0.0


def shown_and_written(value: float) -> tuple[float, str]:
    """``(shown(value), num(value))`` from one formatting, for numbers both stored and
    written in a sentence."""
    text = f"{value:.2f}"
    written = text.rstrip("0").rstrip(".")
    return float(text) + 0.0, "0" if written == "-0" else written


def signed(value: float) -> str:
    """A change with its sign: +2.5, -12, 0."""
    text = num(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def quoted(value: object) -> str:
    """An answer value in a sentence: strings quoted, lists as their quoted items."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, tuple)):
        return ", ".join(quoted(item) for item in value) or "nothing"
    if isinstance(value, float):
        return num(value)
    return str(value)


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """'1 question', '3 questions'."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural_noun or noun + 's'}"


def interval(low: float | None, high: float | None) -> str:
    """A band as a half-open interval, with open ends written as such."""
    left = "open" if low is None else num(low)
    right = "open" if high is None else num(high)
    return f"[{left}, {right})"
