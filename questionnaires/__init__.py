"""Diligence's one Django app, cut into one package per domain (docs/architecture.md).

core (organisations, members, tenancy, dispatch, outbox, sandbox) · audit · authoring
(questionnaire templates, importers, library) · assessments (issuing, portal, answers,
evidence, submission) · review · scoring (pure engine + outbox and runs) · reports ·
ownership (registry, neutrality) · portfolio · charts · conditions (pure) · uploads.

Imports run one way: interface (api, pages, portal, tasks, urls, admin, commands) ->
services and selectors -> models and pure cores; tests/architecture checks it. `models.py`
gathers every domain's models for Django; `tasks.py` every task for Celery."""
