"""Core: organisations, members and roles, tenancy (whose data a request sees), domain
errors, the dispatch of background work, notifications, exports, logging and health.

Every other package may import core; core imports only Django, Celery and the audit models
and services (members and organisations are audited). Nothing in core imports a domain."""
