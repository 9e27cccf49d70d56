"""PDF stress-test reports: what compliance signs off on.

`context` reads everything a report shows from the database into plain data, `charts`
draws the bar charts as SVG, `render` turns the HTML into a PDF with WeasyPrint (restricted
URL fetcher, isolated child process), `verify` tells an issued PDF from a changed one.
Workflows are in `questionnaires.services.reports`; the task in `questionnaires.tasks`.
"""
