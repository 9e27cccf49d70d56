"""What a condition is evaluated against, and what an answer "means".

The rules here are the single definition, for the whole platform, of when a question
counts as answered and when a name is true; progress, submission and scoring use
``is_answered`` so a value never means one thing in a condition and another in a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

YES_NO_VALUES = frozenset({"yes", "no", "na"})


def is_answered(kind: str | None, value: object) -> bool:
    """True when ``value`` is an answer to a question of ``kind``.

    None, ``""`` and ``[]`` are never answers; a yes_no question is answered by "yes",
    "no" or "na" (or a bool, as a check box gives); an info question is never answered.
    A ``kind`` of None (unknown) accepts any non-empty value.
    """
    if value is None or value == "" or (isinstance(value, (list, tuple)) and not value):
        return False
    if kind == "info":
        return False
    if kind == "yes_no":
        return isinstance(value, bool) or _is_yes_no_value(value)
    return True


def is_true(kind: str | None, value: object) -> bool:
    """True when a question answered ``value`` makes its bare name true.

    yes_no: "yes" (or True); a bool is itself, as a check box is; anything else answered
    is true. With ``kind`` None the value decides: "no" and "na" are false, so an ad-hoc
    context without kinds still reads yes/no answers the way a person would.
    """
    if isinstance(value, bool):
        return value and kind != "info"
    if kind == "yes_no" or (kind is None and _is_yes_no_value(value)):
        return value == "yes"
    return is_answered(kind, value)


def _is_yes_no_value(value: object) -> bool:
    # Answers are raw input: a list may arrive where a string belongs, and is unhashable.
    return isinstance(value, str) and value in YES_NO_VALUES


def is_selected(value: object, option: str) -> bool:
    """True when ``option`` is the single_choice answer or among the multi_choice ones."""
    if isinstance(value, (list, tuple)):
        return option in value
    return value == option


class Context:
    """The answers a condition reads, seen through visibility.

    ``answers`` maps question keys to raw answer values. ``hidden`` holds the keys of
    hidden questions: a hidden question reads as unanswered everywhere. ``kinds`` maps
    question keys to their kind (a key missing from it is judged by its value alone, see
    ``is_true``). ``option_owners`` maps each option key that may be named bare to the
    key of the question that offers it; a name found there is read as an option.

    ``CompiledTemplate.context(answers)`` builds one with the template's real
    visibility; build one by hand only for expressions that are not part of a template.
    """

    __slots__ = ("answers", "hidden", "kinds", "option_owners")

    def __init__(
        self,
        answers: Mapping[str, object],
        *,
        hidden: Iterable[str] = (),
        kinds: Mapping[str, str] | None = None,
        option_owners: Mapping[str, str] | None = None,
    ) -> None:
        self.answers = answers
        self.hidden: set[str] = set(hidden)
        self.kinds: Mapping[str, str] = kinds or {}
        self.option_owners: Mapping[str, str] = option_owners or {}

    def is_visible(self, key: str) -> bool:
        """Whether question ``key`` is shown."""
        return key not in self.hidden

    def value(self, key: str) -> object:
        """The answer to question ``key``, or None when it is hidden or unanswered."""
        if key in self.hidden:
            return None
        return self.answers.get(key)

    def kind(self, key: str) -> str | None:
        """The kind of question ``key``, or None when the context does not know it."""
        return self.kinds.get(key)

    def owner(self, name: str) -> str | None:
        """The question offering option ``name``, or None when ``name`` is no option."""
        return self.option_owners.get(name)

    def answered(self, key: str) -> bool:
        """Whether question ``key`` is visible and answered."""
        return is_answered(self.kind(key), self.value(key))
