"""Keep invitation tokens and one-time password links out of every log line (and out of
mail written to a console or log, questionnaires/core/mail.py)."""

import logging
import re

# The portal's token-bearing paths, the Invite authorization scheme, and the members'
# choose-a-password links (/welcome/<uid>/<token>/: whoever reads one sets the password).
_TOKEN_PATTERNS = [
    (re.compile(r"(/invite/)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"(Invite\s+)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"(/welcome/)[A-Za-z0-9_\-]+/[A-Za-z0-9_\-]+/?"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _TOKEN_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactInviteTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
