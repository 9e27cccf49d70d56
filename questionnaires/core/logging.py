"""Keep invitation tokens out of every log line."""

import logging
import re

# The portal's token-bearing paths and the Invite authorization scheme.
_TOKEN_PATTERNS = [
    (re.compile(r"(/invite/)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
    (re.compile(r"(Invite\s+)[A-Za-z0-9_\-]{16,}"), r"\1[redacted]"),
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
