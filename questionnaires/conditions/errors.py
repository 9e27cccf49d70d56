"""The two errors the condition language raises.

Both subclass ``ValueError`` so callers that only care "was the input bad?" can catch
one thing, and both carry enough location for a person to find the mistake.
"""

from __future__ import annotations

from typing import TypedDict


class ConditionError(ValueError):
    """A located error in one condition.

    ``message`` says what was wrong, ``column`` where in the expression (1-based, or None
    when the whole expression is at fault) and ``path`` which field of a template held it
    (e.g. ``sections[1].questions[3].show_if``, or None for a bare expression).
    ``str()`` gives ``'path: column N: message'``, leaving out the parts that are None.
    """

    def __init__(self, message: str, *, column: int | None = None, path: str | None = None) -> None:
        self.message = message
        self.column = column
        self.path = path
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(self.path)
        parts.append(self.located_message)
        return ": ".join(parts)

    @property
    def located_message(self) -> str:
        """The message with its column, without the path: ``'column N: message'``."""
        if self.column is None:
            return self.message
        return f"column {self.column}: {self.message}"

    def at(self, path: str) -> ConditionError:
        """The same error, placed at a field of a template."""
        return ConditionError(self.message, column=self.column, path=path)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword-only arguments defeat the default pickling of exceptions, and Celery
        # pickles errors raised inside tasks.
        return (_rebuild_condition_error, (self.message, self.column, self.path))


def _rebuild_condition_error(message: str, column: int | None, path: str | None) -> ConditionError:
    return ConditionError(message, column=column, path=path)


class TemplateProblem(TypedDict):
    """One problem found in a template: the field that holds it and what is wrong."""

    field: str | None
    message: str


class TemplateError(ValueError):
    """Every problem found in a template's conditions, reported together.

    ``errors`` is a list of ``{"field": path or None, "message": text}``; messages about
    a condition start with ``column N:`` and quote the offending name.
    """

    def __init__(self, errors: list[TemplateProblem]) -> None:
        if not errors:
            raise ValueError("TemplateError needs at least one problem")
        self.errors = errors
        super().__init__("\n".join(_describe(error) for error in errors))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (TemplateError, (self.errors,))


def _describe(error: TemplateProblem) -> str:
    if error["field"] is None:
        return error["message"]
    return f"{error['field']}: {error['message']}"
