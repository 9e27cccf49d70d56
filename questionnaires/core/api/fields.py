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


class TextField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField turns 42 into "42", so a
    client that sent a number by mistake (or a fuzzer) would have it stored as a name."""

    default_error_messages = {"not_text": "expected text (a JSON string), got {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text", kind=type(data).__name__)
        return super().to_internal_value(data)
