"""Questionnaire templates: versions, sections and questions, publishing, cloning, the
built-in library (data in questionnaires/library/), the importers (`authoring/importers/`, pure) and
exports, the template pages and API, and how questions and answers read to a person
(`display.py`, `text.py`).

May import: core, audit, conditions (pure). Imported by assessments, scoring, reports."""
