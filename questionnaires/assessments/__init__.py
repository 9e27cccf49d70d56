"""Assessments: issuing, invitations and the vendor portal, versioned answers,
evidence, submission (which writes the scoring job), reminders and reassessment.

Layers: `models.py`; `services/` and `selectors/` (may import core, audit, authoring,
uploads, and scoring services to enqueue a score); `api/`, `portal/` and `tasks/`
(interface: may import this package's services and selectors, and core)."""
