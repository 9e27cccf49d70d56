"""Compiling a template's conditions once, and answering questions about answers fast.

``compile_template`` parses every ``show_if`` and flag ``when``, checks every name, and
orders sections and questions so each is evaluated after everything its visibility
depends on. ``CompiledTemplate`` then evaluates each condition at most once per call;
nothing is parsed or sorted per call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from questionnaires.conditions.checks import Dependency, TemplateNames, check_condition
from questionnaires.conditions.context import Context, is_answered
from questionnaires.conditions.errors import ConditionError, TemplateError, TemplateProblem
from questionnaires.conditions.graph import components, cycle_path, is_cycle
from questionnaires.conditions.nodes import MAX_TEMPLATE_PROGRAM_SIZE
from questionnaires.conditions.parser import Condition, parse
from questionnaires.conditions.structure import QuestionInfo, TemplateStructure, read_structure

Answers = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class _Step:
    """One visibility decision: a section's (``key`` None) or a question's."""

    key: str | None
    section: int
    condition: Condition | None


@dataclass(frozen=True, slots=True)
class _Flag:
    question: str
    spec: Mapping[str, object]
    when: Condition | None
    field: str


@dataclass(slots=True)
class _GraphNode:
    key: str | None
    section: int
    field: str
    condition: Condition | None
    dependencies: list[Dependency]

    def label(self, structure: TemplateStructure) -> str:
        if self.key is None:
            return f"section {structure.sections[self.section].key}"
        return self.key


def compile_template(spec: dict) -> CompiledTemplate:
    """Compile the conditions of a native-format template ``spec``.

    Parses every section and question ``show_if`` and every flag ``when`` once, checks
    that every name resolves (a question key, or an option key only one question offers),
    and refuses show_if cycles, including those through a section's show_if. Raises
    TemplateError listing every problem, each with its field path (e.g.
    ``sections[0].questions[2].show_if``) and a message with the column and the name.
    """
    return _Compiler(read_structure(spec)).compile(spec)


class CompiledTemplate:
    """A template whose conditions are parsed, checked and ordered; see compile_template.

    Every method takes raw ``answers`` (question key -> value) and treats a hidden
    question as unanswered, whatever its raw answer.
    """

    def __init__(
        self,
        spec: dict,
        structure: TemplateStructure,
        names: TemplateNames,
        steps: list[_Step],
        flags: list[_Flag],
    ) -> None:
        self.spec = spec
        self.question_keys: list[str] = [question.key for question in structure.questions]
        self._questions: list[QuestionInfo] = structure.questions
        self._section_count = len(structure.sections)
        self._names = names
        self._kinds = {question.key: question.kind for question in structure.questions}
        self._option_owners = names.bare_options()
        self._steps = steps
        self._flags = flags

    def context(self, answers: Answers) -> Context:
        """The evaluation context for ``answers``: their visibility worked out, ready for
        other conditions (``compile_condition``) to be evaluated against."""
        ctx = Context(answers, kinds=self._kinds, option_owners=self._option_owners)
        shown = [True] * self._section_count
        for step in self._steps:
            if step.key is None:
                shown[step.section] = _holds(step.condition, ctx)
            elif not (shown[step.section] and _holds(step.condition, ctx)):
                ctx.hidden.add(step.key)
        return ctx

    def visibility(self, answers: Answers) -> dict[str, bool]:
        """Question key -> visible. A section's show_if hides all of its questions."""
        hidden = self.context(answers).hidden
        return {key: key not in hidden for key in self.question_keys}

    def effective_answers(self, answers: Answers) -> dict[str, object]:
        """The answers that count: of visible, answerable (non-info) questions, and only
        values that are answers (not None, "", [])."""
        hidden = self.context(answers).hidden
        return {
            question.key: answers[question.key]
            for question in self._questions
            if question.key not in hidden and is_answered(question.kind, answers.get(question.key))
        }

    def raised_flags(self, answers: Answers) -> list[dict[str, object]]:
        """Flags of visible questions whose ``when`` holds (no ``when``: whenever the
        question is visible), in document order, each as ``{question, severity, title,
        recommendation, when}``."""
        ctx = self.context(answers)
        return [
            {
                "question": flag.question,
                "severity": flag.spec.get("severity"),
                "title": flag.spec.get("title"),
                "recommendation": flag.spec.get("recommendation"),
                "when": flag.spec.get("when"),
            }
            for flag in self._flags
            if flag.question not in ctx.hidden and _holds(flag.when, ctx)
        ]

    def progress(self, answers: Answers) -> float:
        """Answered visible required questions / visible required questions; 1.0 if none."""
        required = self._visible_required(answers)
        if not required:
            return 1.0
        answered = sum(is_answered(question.kind, answers.get(question.key)) for question in required)
        return answered / len(required)

    def missing_required(self, answers: Answers) -> list[str]:
        """Keys of visible required questions without an answer, in document order."""
        return [
            question.key
            for question in self._visible_required(answers)
            if not is_answered(question.kind, answers.get(question.key))
        ]

    def changed_visibility(self, before: Answers, after: Answers) -> tuple[list[str], list[str]]:
        """(keys that became visible, keys that became hidden) going from ``before`` to
        ``after``, each in document order: what a form must show and hide after an edit."""
        was, now = self.visibility(before), self.visibility(after)
        shown = [key for key in self.question_keys if now[key] and not was[key]]
        hidden = [key for key in self.question_keys if was[key] and not now[key]]
        return shown, hidden

    def compile_condition(self, expression: str, *, field: str | None = None) -> Condition:
        """Parse and check a condition that is not part of the template (a scenario's,
        say) against its names; raises TemplateError with every problem at ``field``."""
        problems: list[TemplateProblem] = []
        condition, _ = _checked(expression, field, self._names, problems)
        if problems or condition is None:
            raise TemplateError(problems)
        return condition

    def _visible_required(self, answers: Answers) -> list[QuestionInfo]:
        hidden = self.context(answers).hidden
        return [question for question in self._questions if question.required and question.key not in hidden]

    def __repr__(self) -> str:
        return f"<CompiledTemplate {self.spec.get('key')!r}: {len(self.question_keys)} questions>"


class _Compiler:
    def __init__(self, structure: TemplateStructure) -> None:
        self.structure = structure
        self.problems: list[TemplateProblem] = list(structure.problems)
        self.names = TemplateNames(
            structure.question_map(),
            structure.option_owners(),
            {section.key for section in structure.sections},
        )

    def compile(self, spec: dict) -> CompiledTemplate:
        nodes = self._graph_nodes()
        flags = self._flags()
        self._check_regex_budget(nodes, flags)
        order = self._order(nodes)
        if self.problems:
            raise TemplateError(self.problems)
        steps = [_Step(nodes[index].key, nodes[index].section, nodes[index].condition) for index in order]
        return CompiledTemplate(spec, self.structure, self.names, steps, flags)

    def _graph_nodes(self) -> list[_GraphNode]:
        """Sections and questions in document order, each section before its questions."""
        nodes = []
        by_section: dict[int, list[QuestionInfo]] = {}
        for question in self.structure.questions:
            by_section.setdefault(question.section, []).append(question)
        for index, section in enumerate(self.structure.sections):
            nodes.append(self._graph_node(None, index, f"{section.path}.show_if", section.show_if))
            for question in by_section.get(index, []):
                nodes.append(self._graph_node(question.key, index, f"{question.path}.show_if", question.show_if))
        return nodes

    def _graph_node(self, key: str | None, section: int, field: str, source: object) -> _GraphNode:
        condition, dependencies = _checked(source, field, self.names, self.problems)
        return _GraphNode(key, section, field, condition, dependencies)

    def _flags(self) -> list[_Flag]:
        flags = []
        for question in self.structure.questions:
            for index, flag in enumerate(question.flags):
                field = f"{question.path}.flags[{index}].when"
                when, _ = _checked(flag.get("when"), field, self.names, self.problems)
                flags.append(_Flag(question.key, flag, when, field))
        return flags

    def _check_regex_budget(self, nodes: list[_GraphNode], flags: list[_Flag]) -> None:
        """Refuse, at the condition that crosses it, a template whose regular expressions
        together compile past MAX_TEMPLATE_PROGRAM_SIZE: an answer save evaluates them all."""
        conditions = [(node.field, node.condition) for node in nodes]
        conditions += [(flag.field, flag.when) for flag in flags]
        total = 0
        for field, condition in conditions:
            size = condition.program_size if condition is not None else 0
            total += size
            if size and total > MAX_TEMPLATE_PROGRAM_SIZE:
                self.problems.append({"field": field, "message": (
                    f"regular expressions over budget: with this condition's ({size:,} "
                    f"instructions) the template's compile to {total:,}, over the "
                    f"{MAX_TEMPLATE_PROGRAM_SIZE:,} allowed for one template; simplify or "
                    "remove some")})
                return

    def _order(self, nodes: list[_GraphNode]) -> list[int]:
        """Node indexes, each after everything it depends on; reports every cycle."""
        question_nodes = {node.key: index for index, node in enumerate(nodes) if node.key is not None}
        section_nodes = {node.section: index for index, node in enumerate(nodes) if node.key is None}
        edges: list[list[int]] = []
        for node in nodes:
            targets = [question_nodes[dependency.question] for dependency in node.dependencies]
            if node.key is not None:
                targets.append(section_nodes[node.section])  # a question shows only inside its section
            edges.append(targets)
        order = []
        for component in components(edges):
            if is_cycle(component, edges):
                self._report_cycle(component, nodes, edges, question_nodes)
            order.extend(component)
        return order

    def _report_cycle(
        self, component: list[int], nodes: list[_GraphNode], edges: list[list[int]], question_nodes: dict[str, int]
    ) -> None:
        # Start at a section when one is involved: its edges all come from its show_if,
        # so the first step of the path has a column to point at.
        sections = [index for index in component if nodes[index].key is None]
        start = min(sections or component)
        path = cycle_path(start, set(component), edges)
        reference = next(d for d in nodes[start].dependencies if question_nodes[d.question] == path[1])
        route = " -> ".join(nodes[index].label(self.structure) for index in path)
        message = f"show_if cycle through '{reference.name}': {route}"
        self.problems.append({"field": nodes[start].field, "message": f"column {reference.column}: {message}"})


def _checked(
    source: object, field: str | None, names: TemplateNames, problems: list[TemplateProblem]
) -> tuple[Condition | None, list[Dependency]]:
    """Parse and check one condition field, adding its problems; (None, []) when absent."""
    if source is None:
        return None, []
    try:
        condition = parse(source)  # type: ignore[arg-type]  # parse reports a non-string
    except ConditionError as error:
        problems.append({"field": field, "message": error.located_message})
        return None, []
    errors, dependencies = check_condition(condition, names)
    problems.extend({"field": field, "message": error.located_message} for error in errors)
    return condition, dependencies


def _holds(condition: Condition | None, ctx: Context) -> bool:
    return condition is None or condition.evaluate(ctx)
