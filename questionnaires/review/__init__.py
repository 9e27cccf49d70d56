"""Review of a submitted assessment: the review page, comments, clarification requests,
decisions with conditions and remediation items.

May import: core, audit, authoring, assessments services and selectors, scoring and reports
services (the page shows the score and the report panel)."""
