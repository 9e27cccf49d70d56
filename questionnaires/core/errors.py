"""Workflows, named <entity>_<action>, keyword-only. Views and tasks call these."""


class DomainError(Exception):
    """A rule of the domain was broken; the API maps it to an HTTP status."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None,
                 details: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # Several located problems at once (e.g. every unanswered required question).
        self.details = details or []


class Conflict(DomainError):
    """Wrong state or stale version: HTTP 409."""

    status_code = 409


class NotAllowed(DomainError):
    status_code = 403


class TooMany(DomainError):
    """A rate or a count limit was reached: HTTP 429."""

    status_code = 429
