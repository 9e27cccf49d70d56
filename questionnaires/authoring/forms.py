"""Forms of the template pages: importing a file, and editing a draft one section at a time.

Edit forms name every field by its native path (``sections[2].questions[5].weight``), so
the importers' validation, which reports problems by that path, lands each message on the
input that caused it. The forms only parse what was typed; whether the result is a valid
questionnaire is decided by that one validation, never by rules repeated here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django import forms

from questionnaires.authoring.importers import Problem
from questionnaires.authoring.services.files import IMPORT_FORMATS, problem_field

FORMAT_CHOICES = [("", "Detect from the file"), ("native", "Diligence YAML or JSON"),
                  ("vsaq", "Google VSAQ (JSON)"), ("xlsx", "Excel workbook (.xlsx)"),
                  ("csv", "CSV sheet")]
assert [key for key, _ in FORMAT_CHOICES[1:]] == list(IMPORT_FORMATS)


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(_MultipleFileField, self).clean(one, initial) for one in files]


class TemplateImportForm(forms.Form):
    file = forms.FileField(label="Questionnaire file",
                           help_text="Diligence YAML/JSON, a Google VSAQ .json, or an .xlsx/.csv "
                                     "sheet laid out as docs/spreadsheet-format.md describes.")
    format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, required=False)
    extensions = _MultipleFileField(
        label="VSAQ extension files (optional)", required=False,
        help_text="Applied in the order chosen onto a VSAQ questionnaire.")


class _Text(forms.CharField):
    """Text kept as typed (no stripping, so an untouched field changes nothing), with the
    browser's CRLF line endings turned back into the newlines the spec holds."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, required=False, **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class SpecForm(forms.Form):
    """A form editing part of a native spec; ``edited_spec()`` is the whole spec with the
    form's values applied."""

    def __init__(self, data=None, *, spec: dict[str, Any]):
        super().__init__(data)
        self.spec = spec

    def edited_spec(self) -> dict[str, Any]:
        edited = copy.deepcopy(self.spec)
        for path, value in self.cleaned_data.items():
            _assign(edited, path, value)
        return edited

    def add_problems(self, problems: list[Problem]) -> None:
        """Each validation problem on its input, or above the form when it has none."""
        for problem in problems:
            path = problem.get("field")
            if path in self.fields:
                self.add_error(path, problem["message"])
            else:
                where = problem_field(problem)
                self.add_error(None, f"{where}: {problem['message']}" if where
                               else problem["message"])


class TemplateDetailsForm(SpecForm):
    def __init__(self, data=None, *, spec: dict[str, Any]):
        super().__init__(data, spec=spec)
        self.fields["name"] = _Text(label="Name", max_length=300, initial=spec["name"])
        self.fields["description"] = _Text(label="Description", widget=_textarea(3),
                                           initial=spec["description"])


@dataclass
class OptionFields:
    key: str
    label: forms.BoundField
    score: forms.BoundField


@dataclass
class QuestionFields:
    question: dict[str, Any]
    fields: list[forms.BoundField]
    options: list[OptionFields] = field(default_factory=list)


class SectionForm(SpecForm):
    """One section's title, description and weight, and per question its text, help,
    weight, required mark and the label and score of each option."""

    def __init__(self, data=None, *, spec: dict[str, Any], index: int):
        super().__init__(data, spec=spec)
        self.index = index
        self.section = spec["sections"][index]
        base = f"sections[{index}]"
        self.fields[f"{base}.title"] = _Text(label="Section title", max_length=300,
                                            initial=self.section["title"])
        self.fields[f"{base}.description"] = _Text(label="Section description",
                                                  widget=_textarea(2),
                                                  initial=self.section["description"])
        self.fields[f"{base}.weight"] = _weight("Section weight", self.section["weight"])
        for position, question in enumerate(self.section["questions"]):
            self._add_question(f"{base}.questions[{position}]", question)

    def _add_question(self, path: str, question: dict[str, Any]) -> None:
        self.fields[f"{path}.text"] = _Text(label="Question", widget=_textarea(2),
                                            initial=question["text"])
        self.fields[f"{path}.help"] = _Text(label="Help for the vendor", widget=_textarea(2),
                                            initial=question["help"])
        if question["kind"] == "info":  # shown, never answered: nothing to weigh or require
            return
        self.fields[f"{path}.weight"] = _weight("Weight", question["weight"])
        self.fields[f"{path}.required"] = forms.BooleanField(
            label="Required", required=False, initial=question["required"])
        for number, option in enumerate(question.get("options", [])):
            key = option["key"]
            self.fields[f"{path}.options[{number}].label"] = _Text(
                label=f'Option "{key}": label', max_length=300, initial=option["label"])
            self.fields[f"{path}.options[{number}].score"] = forms.FloatField(
                label=f'Score of "{key}" (0 to 1)', initial=option["score"],
                widget=forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1}))

    def questions(self) -> list[QuestionFields]:
        """The bound fields grouped per question, in order, for the page to lay out."""
        base = f"sections[{self.index}]"
        grouped = []
        for position, question in enumerate(self.section["questions"]):
            path = f"{base}.questions[{position}]"
            names = [f"{path}.{name}" for name in ("text", "help", "weight", "required")]
            options = [OptionFields(key=option["key"],
                                    label=self[f"{path}.options[{number}].label"],
                                    score=self[f"{path}.options[{number}].score"])
                       for number, option in enumerate(question.get("options", []))]
            grouped.append(QuestionFields(question=question, options=options,
                                          fields=[self[n] for n in names if n in self.fields]))
        return grouped

    def section_fields(self) -> list[forms.BoundField]:
        base = f"sections[{self.index}]"
        return [self[f"{base}.{name}"] for name in ("title", "description", "weight")]


def _weight(label: str, initial: float) -> forms.FloatField:
    return forms.FloatField(label=label, initial=initial,
                            widget=forms.NumberInput(attrs={"step": "any", "min": 0}))


def _assign(spec: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a native path such as ``sections[1].questions[4].options[0].score``."""
    target: Any = spec
    steps = _steps(path)
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = value


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        steps.append(name)
        steps.extend(int(index) for index in rest.rstrip("]").split("][") if index)
    return steps
