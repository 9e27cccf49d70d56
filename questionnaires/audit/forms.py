"""The GET form that filters the audit trail.

A value the form does not know (a hand-edited URL) is a 400 naming the field, never a 500
and never silently ignored."""

from __future__ import annotations

from django import forms

from questionnaires.audit.selectors import AuditQuery
from questionnaires.core.dates import validate_day


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action", max_length=60, required=False,
                             help_text='Exact, or a prefix ending in a dot: "assessment."',
                             widget=forms.TextInput(attrs={"list": "audit-actions"}))
    actor = forms.CharField(label="Actor", max_length=254, required=False)
    object = forms.CharField(label="Object (id or type)", max_length=64, required=False)
    since = forms.DateField(label="From", required=False, validators=[validate_day],
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Until", required=False, validators=[validate_day],
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "must be on or after the start date")
        return data

    def query(self) -> AuditQuery:
        data = self.cleaned_data
        return AuditQuery(action=data["action"].strip(), actor=data["actor"].strip(),
                          object=data["object"].strip(), since=data["since"],
                          until=data["until"])
