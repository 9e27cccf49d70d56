"""The GET form that filters the portfolio.

A value the form does not know (a hand-edited URL) is a 400 naming the field, never a 500
and never silently ignored."""

from __future__ import annotations

from django import forms

from questionnaires.assessments.models import Assessment
from questionnaires.core.base import Criticality
from questionnaires.portfolio.selectors import NEUTRALITY, SORTS, TIERS, PortfolioQuery

ANY = [("", "Any")]
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label="Search vendors", max_length=200, required=False,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": "Vendor name"}))
    tier = forms.ChoiceField(label="Tier", required=False, choices=ANY + [
        (t, t.capitalize()) for t in TIERS] + [("unscored", "Not scored")])
    status = forms.ChoiceField(label="Assessment", required=False, choices=ANY + [
        (value, text) for value, text in Assessment.Status.choices] + [("none", "Never assessed")])
    criticality = forms.ChoiceField(label="Criticality", required=False,
                                    choices=ANY + list(Criticality.choices))
    neutrality = forms.ChoiceField(label="Neutrality", required=False, choices=ANY + [
        (n, n.replace("_", " ").capitalize()) for n in NEUTRALITY])
    overdue = forms.BooleanField(label="Overdue only", required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def query(self) -> PortfolioQuery:
        data = self.cleaned_data
        return PortfolioQuery(search=data["q"].strip(), tier=data["tier"], status=data["status"],
                              criticality=data["criticality"], neutrality=data["neutrality"],
                              overdue=data["overdue"], sort=data["sort"] or "name")
