"""Forms of the members and notification settings pages."""

from __future__ import annotations

from django import forms

from questionnaires.core.members import NOTIFICATION_KINDS
from questionnaires.core.models import Membership


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices,
                             initial=Membership.Role.REVIEWER)
    username = forms.CharField(label="Username (optional)", max_length=150, required=False,
                               help_text="They sign in with it; the email address if left empty.")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class NotificationsForm(forms.Form):
    def __init__(self, data=None, *, membership: Membership):
        super().__init__(data)
        for kind, text in NOTIFICATION_KINDS.items():
            self.fields[kind] = forms.BooleanField(label=text, required=False,
                                                   initial=membership.wants(kind))

    def wanted(self) -> set[str]:
        return {kind for kind in NOTIFICATION_KINDS if self.cleaned_data.get(kind)}


class CadenceForm(forms.Form):
    """Months between assessments, per vendor criticality."""

    def __init__(self, data=None, *, organization):
        super().__init__(data)
        for criticality in ("critical", "high", "medium", "low"):
            self.fields[criticality] = forms.IntegerField(
                label=f"{criticality.capitalize()} vendors", min_value=1, max_value=120,
                initial=organization.cadence_months(criticality),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
