"""The one error every importer raises, and the collector that builds it.

Importers never stop at the first problem: a buyer fixing a 200-question file wants the
whole list at once, each problem placed where they can find it (a line in a YAML file, an
item of a VSAQ file, a row and column of a sheet).
"""

from __future__ import annotations

from typing import TypedDict


class Where(TypedDict, total=False):
    """Where a problem is, beyond its path. A locator may also re-express ``field`` in the
    terms of the file the person wrote (a VSAQ path instead of the native one)."""

    field: str | None
    line: int  # 1-based line of a YAML, JSON or VSAQ file
    item: str  # the VSAQ item id the problem belongs to
    row: int  # 1-based spreadsheet row; the header is row 1
    column: str  # spreadsheet column header
    sheet: str  # the workbook sheet, when it is not the questions sheet
    file: str  # which file, when one import reads several (VSAQ extensions)


class Problem(Where, total=False):
    """One located problem: ``field`` (always present) is a path such as
    ``sections[2].questions[5].kind`` or ``questionnaire[0].items[3].cond``, or None when
    the whole file is at fault; ``message`` (always present) says what is wrong."""

    message: str


class ImportFailed(ValueError):
    """A questionnaire could not be imported (or exported): every problem found, located.

    ``errors`` is a list of dicts with ``field`` and ``message`` and, where known, ``line``,
    ``item``, ``row``, ``column``, ``sheet`` and ``file`` (see ``Where``). ``str()`` lists
    them one per line, in file order, e.g.
    ``line 14: sections[2].questions[5].kind: unknown kind "yesno2"; expected one of ...``.
    """

    def __init__(self, errors: list[Problem]) -> None:
        if not errors:
            raise ValueError("ImportFailed needs at least one problem")
        self.errors = errors
        super().__init__("\n".join(describe(error) for error in errors))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # The default pickling of exceptions passes str(self) back to __init__; Celery
        # pickles errors raised in import tasks.
        return (ImportFailed, (self.errors,))


def describe(problem: Problem) -> str:
    """One problem as a person reads it, location first."""
    parts: list[str] = []
    if "file" in problem:
        parts.append(problem["file"])
    if "sheet" in problem:
        parts.append(f'sheet "{problem["sheet"]}"')
    if "row" in problem:
        column = f', column "{problem["column"]}"' if "column" in problem else ""
        parts.append(f"row {problem['row']}{column}")
    elif "column" in problem:
        parts.append(f'column "{problem["column"]}"')
    if "line" in problem:
        parts.append(f"line {problem['line']}")
    field = problem.get("field")
    if "item" in problem:
        parts.extend(_item_location(problem["item"], field))
    elif field and "row" not in problem and "column" not in problem:
        parts.append(field)
    parts.append(problem["message"])
    return ": ".join(parts)


def _item_location(item: str, field: str | None) -> list[str]:
    """``item "x" (questionnaire[0].items[1])`` then the attribute (``cond``) on its own."""
    if not field:
        return [f'item "{item}"']
    holder, dot, attribute = field.rpartition(".")
    if not dot or attribute.endswith("]"):
        return [f'item "{item}" ({field})']
    return [f'item "{item}" ({holder})', attribute]


class Problems:
    """Collects problems while a file is read, then raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, field: str | None, message: str, where: Where | None = None) -> None:
        """Record one problem at ``field``, with any extra location in ``where``."""
        problem: Problem = {"field": field, "message": message}
        if where:
            problem.update(where)  # type: ignore[typeddict-item]
        self.items.append(problem)

    def raise_if_any(self) -> None:
        """Raise ImportFailed with everything collected so far, if anything was, in the
        order a person reads the file (by row or line where known; stable otherwise)."""
        if self.items:
            ordered = sorted(self.items, key=lambda p: (p.get("sheet", ""), p.get("row", 0), p.get("line", 0)))
            raise ImportFailed(ordered)


def fail(message: str, *, field: str | None = None, where: Where | None = None) -> ImportFailed:
    """An ImportFailed holding a single problem (for problems that end reading at once)."""
    problems = Problems()
    problems.add(field, message, where)
    return ImportFailed(problems.items)
