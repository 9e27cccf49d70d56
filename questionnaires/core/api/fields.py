"""Serializer fields every API shares."""

from __future__ import annotations

from rest_framework import serializers

from questionnaires.core.dates import EARLIEST_DAY, LATEST_DAY, validate_day


class DayField(serializers.DateField):
    """A calendar day inside the accepted range (questionnaires.core.dates)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_day]
        kwargs.setdefault("help_text", "")
        kwargs["help_text"] = (f"{kwargs['help_text']} From {EARLIEST_DAY.isoformat()} to "
                               f"{LATEST_DAY.isoformat()}.").strip()
        super().__init__(**kwargs)
