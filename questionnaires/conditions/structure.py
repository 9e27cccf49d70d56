"""Reads the parts of a native-format template that conditions depend on.

This is not the schema validator (``authoring/importers/native.schema.json`` is); it reads what the
condition compiler needs - keys, kinds, possible answers, conditions - and reports what
would make conditions meaningless (missing or duplicate keys, unknown kinds), so
``compile_template`` never works from a half-read template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from questionnaires.conditions.errors import TemplateProblem

KINDS = (
    "yes_no",
    "single_choice",
    "multi_choice",
    "short_text",
    "long_text",
    "number",
    "date",
    "file",
    "info",
)
CHOICE_KINDS = frozenset({"yes_no", "single_choice", "multi_choice"})

_Seen = dict[str, dict[str, str]]
"""What ("section" or "question") -> key -> path of the first item using it."""


@dataclass(frozen=True, slots=True)
class SectionInfo:
    key: str
    path: str
    show_if: object


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    key: str
    kind: str
    path: str
    section: int
    required: bool
    show_if: object
    flags: tuple[Mapping[str, object], ...]
    options: tuple[str, ...]
    """Option keys written in the template, the names a condition may use bare."""
    answers: frozenset[str]
    """Every possible answer of a choice question (yes_no: yes, no and na if allowed)."""


@dataclass(slots=True)
class TemplateStructure:
    sections: list[SectionInfo] = field(default_factory=list)
    questions: list[QuestionInfo] = field(default_factory=list)
    problems: list[TemplateProblem] = field(default_factory=list)

    def question_map(self) -> dict[str, QuestionInfo]:
        """Questions by key; the first one wins when a key is duplicated."""
        found: dict[str, QuestionInfo] = {}
        for question in self.questions:
            found.setdefault(question.key, question)
        return found

    def option_owners(self) -> dict[str, list[str]]:
        """Every written option key -> the keys of the questions that offer it."""
        owners: dict[str, list[str]] = {}
        for question in self.questions:
            for option in question.options:
                offering = owners.setdefault(option, [])
                if question.key not in offering:  # an option listed twice is still one question's
                    offering.append(question.key)
        return owners


def read_structure(spec: object) -> TemplateStructure:
    """The sections and questions of ``spec`` in document order, with any problems."""
    structure = TemplateStructure()
    if not isinstance(spec, Mapping):
        structure.problems.append(_problem(None, f"a template is a mapping, not {type(spec).__name__}"))
        return structure
    sections = spec.get("sections")
    if not isinstance(sections, list):
        structure.problems.append(_problem("sections", "expected a list of sections"))
        return structure
    # Section and question keys are separate namespaces: conditions only name questions.
    seen: _Seen = {"section": {}, "question": {}}
    for index, section in enumerate(sections):
        _read_section(structure, section, index, seen)
    return structure


def _read_section(structure: TemplateStructure, section: object, index: int, seen: _Seen) -> None:
    path = f"sections[{index}]"
    if not isinstance(section, Mapping):
        structure.problems.append(_problem(path, "expected a mapping"))
        return
    key = _read_key(structure, section, path, seen, "section")
    structure.sections.append(SectionInfo(key, path, section.get("show_if")))
    questions = section.get("questions")
    if not isinstance(questions, list):
        structure.problems.append(_problem(f"{path}.questions", "expected a list of questions"))
        return
    for position, question in enumerate(questions):
        _read_question(structure, question, f"{path}.questions[{position}]", index, seen)


def _read_question(structure: TemplateStructure, question: object, path: str, section: int, seen: _Seen) -> None:
    if not isinstance(question, Mapping):
        structure.problems.append(_problem(path, "expected a mapping"))
        return
    key = _read_key(structure, question, path, seen, "question")
    kind = question.get("kind")
    if kind not in KINDS:
        structure.problems.append(
            _problem(f"{path}.kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        )
        return
    flags = question.get("flags") or []
    if not isinstance(flags, list) or not all(isinstance(flag, Mapping) for flag in flags):
        structure.problems.append(_problem(f"{path}.flags", "expected a list of flags"))
        flags = []
    options = _read_options(structure, question, path)
    structure.questions.append(
        QuestionInfo(
            key=key,
            kind=kind,
            path=path,
            section=section,
            required=bool(question.get("required")) and kind != "info",
            show_if=question.get("show_if"),
            flags=tuple(flags),
            options=options,
            answers=_possible_answers(kind, options, bool(question.get("allow_na"))),
        )
    )


def _read_key(structure: TemplateStructure, item: Mapping[str, object], path: str, seen: _Seen, what: str) -> str:
    key = item.get("key")
    if not isinstance(key, str) or not key:
        structure.problems.append(_problem(f"{path}.key", f"every {what} needs a key"))
        return f"<{path}>"  # a placeholder no condition can name, so reading can go on
    first = seen[what].setdefault(key, path)
    if first != path:
        structure.problems.append(_problem(f"{path}.key", f"duplicate key '{key}': {first} uses it already"))
    return key


def _read_options(structure: TemplateStructure, question: Mapping[str, object], path: str) -> tuple[str, ...]:
    options = question.get("options") or []
    if not isinstance(options, list):
        structure.problems.append(_problem(f"{path}.options", "expected a list of options"))
        return ()
    keys = []
    for index, option in enumerate(options):
        key = option.get("key") if isinstance(option, Mapping) else None
        if not isinstance(key, str) or not key:
            structure.problems.append(_problem(f"{path}.options[{index}].key", "every option needs a key"))
            continue
        keys.append(key)
    return tuple(keys)


def _possible_answers(kind: str, options: Sequence[str], allow_na: bool) -> frozenset[str]:
    if kind == "yes_no":
        # yes_no options only carry scores; the answers themselves are fixed.
        return frozenset({"yes", "no", "na"} if allow_na else {"yes", "no"})
    if kind in CHOICE_KINDS:
        return frozenset(options)
    return frozenset()


def _problem(field_path: str | None, message: str) -> TemplateProblem:
    return {"field": field_path, "message": message}
