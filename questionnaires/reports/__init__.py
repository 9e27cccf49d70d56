"""PDF stress-test reports: what compliance signs off on.

Service layer: `context` and `ownership` read everything a report shows from the database
into plain data; `services` requests, renders (in a worker), stores and verifies reports,
through the outbox (core.outbox). Formatting: `answers` and `render` turn that data into
HTML and then a PDF with WeasyPrint (restricted URL fetcher, bounded child process; charts
from questionnaires.charts), `verify` tells an issued PDF from a changed one. Interface:
`api`, `tasks`. May import: core, audit, authoring, assessments, scoring and ownership
services and models, charts."""
