"""Forms of the vendor pages: the registry entry, a stake, a disposal, a competitor and the
neutrality settings. They check shape; the services check the rules (totals, dates, names)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from questionnaires.core.base import Criticality
from questionnaires.core.dates import validate_day
from questionnaires.ownership.models import (
    DATA_CATEGORIES,
    SERVICES,
    Entity,
    NeutralityStatus,
    Vendor,
)
from questionnaires.ownership.neutrality.records import SEVERITIES
from questionnaires.ownership.services.stakes import StakeInput

PERCENT = {"max_digits": 7, "decimal_places": 4, "min_value": Decimal(0),
           "max_value": Decimal(100)}
SEVERITY_CHOICES = [("info", "Noted only"), ("at_risk", "At risk"),
                    ("conflicted", "Conflicted")]
assert [key for key, _ in SEVERITY_CHOICES] == list(SEVERITIES)
NEUTRALITY_CHOICES = [("", "Any"), *NeutralityStatus.choices]


def _labels(keys: list[str]) -> list[tuple[str, str]]:
    return [(key, key.replace("_", " ").capitalize()) for key in keys]


def _names(text: str) -> list[str]:
    """One name per line (or separated by semicolons), blanks and repeats dropped."""
    names: list[str] = []
    for raw in text.replace(";", "\n").splitlines():
        name = " ".join(raw.split())
        if name and name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    return names


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VendorFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": "Name, alias or contact"}))
    criticality = forms.ChoiceField(label="Criticality", required=False,
                                    choices=[("", "Any"), *Criticality.choices])
    neutrality = forms.ChoiceField(label="Neutrality", required=False,
                                   choices=NEUTRALITY_CHOICES)


class VendorForm(forms.ModelForm):
    website = forms.URLField(label="Website", required=False, max_length=200,
                             assume_scheme="https")
    aliases = forms.CharField(label="Other names (one per line)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Former names and brands: they matter for matching.")
    services = forms.MultipleChoiceField(label="Services", required=False,
                                         choices=_labels(SERVICES),
                                         widget=forms.CheckboxSelectMultiple)
    data_categories = forms.MultipleChoiceField(label="Data the vendor handles",
                                                required=False, choices=_labels(DATA_CATEGORIES),
                                                widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Vendor
        fields = ["name", "aliases", "website", "country", "criticality", "services",
                  "data_categories", "contact_name", "contact_email", "reassessment_months",
                  "notes"]
        labels = {"country": "Country (two-letter code)", "contact_email": "Contact email",
                  "reassessment_months": "Months between assessments"}
        help_texts = {"contact_email": "Receives questionnaires, including the rapid "
                                       "re-check after an ownership change.",
                      "reassessment_months": "Leave empty for your organisation's cadence."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if self.instance.pk and not self.is_bound:
            self.initial["aliases"] = "\n".join(self.instance.aliases)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        clash = Vendor.objects.filter(organization=self.organization, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A vendor with this name is already registered.")
        return name

    def clean_aliases(self) -> list[str]:
        return _names(self.cleaned_data["aliases"])

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError("Use a two-letter ISO 3166-1 country code.")
        return country.upper()

    def service_data(self) -> dict:
        """The cleaned values, as the vendor services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class StakeForm(forms.Form):
    subject = forms.ChoiceField(label="Stake in", help_text=(
        "The vendor, or a company or fund above it: that is how chains are recorded."))
    holder = forms.CharField(label="Holder", max_length=200, help_text=(
        "Found by name, ignoring case, punctuation and legal forms; created when new."),
        widget=forms.TextInput(attrs={"list": "entity-names", "autocomplete": "off"}))
    holder_parent = forms.CharField(label="Holder's parent (optional)", max_length=200,
                                    required=False, help_text=(
        "A fund's manager or a subsidiary's group: the holder then counts on its side."),
        widget=forms.TextInput(attrs={"list": "entity-names", "autocomplete": "off"}))
    holder_kind = forms.ChoiceField(label="Holder is a", choices=Entity.Kind.choices,
                                    initial=Entity.Kind.COMPANY)
    percent = forms.DecimalField(label="Equity (%)", **PERCENT)
    voting_percent = forms.DecimalField(label="Votes (%), if not as equity", required=False,
                                        **PERCENT)
    board_seats = forms.IntegerField(label="Board seats", min_value=0, max_value=1000,
                                     initial=0)
    observer_seats = forms.IntegerField(label="Observer seats", min_value=0, max_value=1000,
                                        initial=0)
    information_rights = forms.BooleanField(label="Information rights", required=False)
    acquired_on = forms.DateField(label="Acquired on", required=False, widget=DateInput(),
                                  validators=[validate_day],
                                  help_text="Leave empty when not known.")
    source = forms.CharField(label="Source", max_length=300, required=False,
                             help_text="Filing, press release, the vendor's own answer.")

    def __init__(self, *args, subjects: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects

    def stake_input(self) -> StakeInput:
        data = self.cleaned_data
        return StakeInput(
            holder=data["holder"], holder_parent=data["holder_parent"] or None,
            holder_kind=data["holder_kind"], percent=data["percent"],
            voting_percent=data["voting_percent"], board_seats=data["board_seats"] or 0,
            observer_seats=data["observer_seats"] or 0,
            information_rights=data["information_rights"], acquired_on=data["acquired_on"],
            source=data["source"])


class DisposeForm(forms.Form):
    disposed_on = forms.DateField(label="Disposed of on", widget=DateInput(),
                                  validators=[validate_day])
    source = forms.CharField(label="Source", max_length=300, required=False)


class CompetitorForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    aliases = forms.CharField(label="Other names (one per line)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text=(
        "Brands, former names, the names of its funds if they carry its name."))

    def clean_aliases(self) -> list[str]:
        return _names(self.cleaned_data["aliases"])


class NeutralitySettingsForm(forms.Form):
    at_risk_percent = forms.DecimalField(label="At risk from (% of equity or votes)", **PERCENT)
    conflicted_percent = forms.DecimalField(label="Conflicted from (%)", **PERCENT)
    voting_control_percent = forms.DecimalField(label="Control above (% of votes)", **PERCENT)
    board_seat = forms.ChoiceField(label="A competitor's board seat", choices=SEVERITY_CHOICES)
    observer_seat = forms.ChoiceField(label="A competitor's observer seat",
                                      choices=SEVERITY_CHOICES)
    information_rights = forms.ChoiceField(label="A competitor's information rights",
                                           choices=SEVERITY_CHOICES)
    auto_recheck = forms.BooleanField(label="Send the rapid neutrality re-check to the "
                                            "vendor when its status changes", required=False)

    THRESHOLD_FIELDS = ("at_risk_percent", "conflicted_percent", "voting_control_percent",
                        "board_seat", "observer_seat", "information_rights")

    def overrides(self, defaults: dict) -> dict:
        """Only the values that differ from the defaults are stored as overrides."""
        values = {}
        for name in self.THRESHOLD_FIELDS:
            value = self.cleaned_data[name]
            default = defaults[name]
            if isinstance(value, Decimal):
                if value != Decimal(str(default)):
                    values[name] = value
            elif value != default:
                values[name] = value
        return values
