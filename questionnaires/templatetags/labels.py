"""`{{ status|neutrality_label }}`: a neutrality status in the words every page uses."""

from __future__ import annotations

from django import template
from django.utils.text import capfirst

from questionnaires.ownership.models import NeutralityStatus

register = template.Library()


@register.filter
def neutrality_label(status: str) -> str:
    """The status's label ("At risk"); an unknown one as written, its first letter capital."""
    if status in NeutralityStatus.values:
        return NeutralityStatus(status).label
    return capfirst(str(status or ""))
