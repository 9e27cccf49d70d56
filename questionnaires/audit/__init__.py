"""The audit trail: hash chains (one per organisation, one per assessment's answers),
verification, the trail's selectors, pages and exports.

May import: core.base, core.errors, core.exports, core.tenancy (pages). Imported by every
service that records an event."""
