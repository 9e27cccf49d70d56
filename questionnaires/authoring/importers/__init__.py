"""Questionnaire import and export: native YAML/JSON, Google VSAQ, spreadsheets.

Every loader returns the same thing: a native spec (docs/native-format.md) that passed
the JSON Schema, the semantic checks and the condition compiler, in canonical form
(defaults filled). Every failure is an ``ImportFailed`` whose ``errors`` list each
problem with its location in the file the person uploaded.
"""

from questionnaires.authoring.importers.detect import FORMATS, detect_format, load_any
from questionnaires.authoring.importers.errors import ImportFailed, Problem, describe
from questionnaires.authoring.importers.native import dump_native, load_native
from questionnaires.authoring.importers.source import MAX_BYTES
from questionnaires.authoring.importers.spreadsheet import dump_spreadsheet, load_spreadsheet
from questionnaires.authoring.importers.vsaq import load_vsaq

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "ImportFailed",
    "Problem",
    "describe",
    "detect_format",
    "dump_native",
    "dump_spreadsheet",
    "load_any",
    "load_native",
    "load_spreadsheet",
    "load_vsaq",
]
