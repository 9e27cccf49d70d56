"""What a person's name and address may be when someone outside the buyer types them and
the platform then shows or mails them: one short line of ordinary text.

A respondent can invite colleagues, and the invitation leaves from the platform's address;
a "name" holding several lines of text, a link or a terminal escape would let anyone holding
an invitation write mail that looks like ours. Names are therefore one short line, and the
invitation email quotes nothing the sender typed (templates/emails/colleague_invitation_*).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_PERSON_NAME = 100

# C0 and C1 controls (newlines and tabs included), and the Unicode line and paragraph
# separators and bidirectional overrides, which change how a line reads.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def person_name_problem(name: str) -> str:
    """Why `name` is not one short line, or ""."""
    if len(name) > MAX_PERSON_NAME:
        return f"at most {MAX_PERSON_NAME} characters; got {len(name)}"
    if _NOT_ONE_LINE.search(name):
        return "one line of text: no line breaks, tabs or control characters"
    return ""


def validate_person_name(name: str) -> None:
    """A Django validator (forms and DRF serializers both run these)."""
    if problem := person_name_problem(name or ""):
        raise ValidationError(problem, code="person_name")


def plain_address_problem(email: str) -> str:
    """Why `email` is more than a plain address, or "". Django's validator accepts quoted
    local parts (`"any text here"@example.com`): text a sender could get quoted back."""
    if '"' in email or any(char.isspace() for char in email) or _NOT_ONE_LINE.search(email):
        return "expected a plain address such as name@example.com (no quotes or spaces)"
    return ""
