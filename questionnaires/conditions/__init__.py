"""The condition language shared by ``show_if``, flag ``when`` and VSAQ's ``cond``.

Pure Python, no Django: ``parse`` turns an expression into a ``Condition`` once, which is
then evaluated against a ``Context`` as often as needed; ``compile_template`` does the
same for every condition of a native-format template and answers visibility, flag,
progress and required-answer questions for a set of answers. The language and its
semantics are described in docs/native-format.md ("Conditions").
"""

from questionnaires.conditions.context import Context, is_answered, is_selected, is_true
from questionnaires.conditions.errors import ConditionError, TemplateError, TemplateProblem
from questionnaires.conditions.parser import MAX_DEPTH, MAX_LENGTH, Condition, parse
from questionnaires.conditions.template import CompiledTemplate, compile_template

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CompiledTemplate",
    "Condition",
    "ConditionError",
    "Context",
    "TemplateError",
    "TemplateProblem",
    "compile_template",
    "is_answered",
    "is_selected",
    "is_true",
    "parse",
]
