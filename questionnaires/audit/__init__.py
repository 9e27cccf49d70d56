"""The audit trail: hash chains (one per organisation, one per assessment's answers), keyed
with an HMAC and pinned by signed checkpoints (table and an append-only file), verification,
the trail's selectors, pages and exports, and the beat task that writes checkpoints.

May import: core.base, core.errors, core.exports, core.tenancy (pages), core.dispatch and
core.tasks (the task). Imported by every service that records an event."""
