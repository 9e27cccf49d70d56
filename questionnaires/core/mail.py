"""An email backend for development and demos: Django's console backend, but every message
is redacted before it is written.

A console backend writes mail to stdout, which ends up in terminal scroll-back and in log
collectors; an invitation token or a choose-a-password link read from there opens the
vendor portal or sets a member's password. The same redaction as the log filter applies
(questionnaires/core/logging.py). The buyer finds a vendor's live link in the workspace
(or the API's invite_url), so nothing a developer needs is lost.
"""

from __future__ import annotations

import copy

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from questionnaires.core.logging import redact


def redacted_message(message):
    """A copy of `message` whose subject, body and alternative parts are redacted. The text
    is redacted before it is MIME-encoded: once quoted-printable or base64, a link may be
    split over lines and no longer look like one."""
    clean = copy.copy(message)
    clean.subject = redact(str(message.subject))
    clean.body = redact(str(message.body))
    if getattr(message, "alternatives", None):
        clean.alternatives = [_redacted_part(part) for part in message.alternatives]
    return clean


def _redacted_part(part):
    content, *rest = part
    if isinstance(content, str):
        content = redact(content)
    # Django 5.2 keeps alternatives as EmailAlternative named tuples; older ones as tuples.
    return part._replace(content=content) if hasattr(part, "_replace") else (content, *rest)


class RedactingConsoleBackend(ConsoleEmailBackend):
    def write_message(self, message) -> None:
        super().write_message(redacted_message(message))
