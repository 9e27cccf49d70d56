"""The REST framework plumbing every API view shares: authentication, permissions, the
tenancy mixin, the one exception handler and the JSON 404/500 handlers.

May import: core. Domain API modules import these; these import no domain."""
