"""The buyer's declared competitors and its neutrality settings.

Both decide what counts against every vendor at once, so each change recomputes the status
of all the buyer's vendors in the same transaction (`neutrality_refresh_vendors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from django.db import transaction

from questionnaires.audit.services import audit_record
from questionnaires.core.errors import DomainError
from questionnaires.core.models import Organization
from questionnaires.ownership.models import Competitor, NeutralityEvent
from questionnaires.ownership.neutrality.matching import normalise_name
from questionnaires.ownership.neutrality.records import NeutralityInputError, Thresholds
from questionnaires.ownership.neutrality.wording import format_threshold
from questionnaires.ownership.services.neutrality import (
    lock_vendors,
    neutrality_refresh_vendors,
    registry_lock,
)

MAX_ALIASES = 50
NAME_LIMIT = 200


@dataclass(frozen=True)
class CompetitorWritten:
    competitor: Competitor
    events: list[NeutralityEvent]


@transaction.atomic
def competitor_create(*, organization: Organization, name: str, aliases: Iterable[str],
                      by) -> CompetitorWritten:
    """Declare a competitor; vendors it holds stakes in may change status at once."""
    _lock(organization)
    name, aliases = _clean_name(name), _clean_aliases(aliases)
    _refuse_duplicate(organization, name, aliases, exclude=None)
    competitor = Competitor.objects.create(organization=organization, name=name,
                                           aliases=aliases)
    audit_record(organization=organization, action="competitor.created", actor=by,
                 obj=competitor, data={"name": name, "aliases": aliases})
    return CompetitorWritten(competitor, neutrality_refresh_vendors(
        organization=organization, vendor_ids=None, by=by,
        cause=f"{name} was declared a competitor."))


@transaction.atomic
def competitor_update(*, competitor: Competitor, by, name: str | None = None,
                      aliases: Iterable[str] | None = None) -> CompetitorWritten:
    """Rename a competitor or replace its aliases."""
    organization = competitor.organization
    _lock(organization)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    before = {"name": competitor.name, "aliases": list(competitor.aliases)}
    if name is not None:
        competitor.name = _clean_name(name)
    if aliases is not None:
        competitor.aliases = _clean_aliases(aliases)
    _refuse_duplicate(organization, competitor.name, competitor.aliases, exclude=competitor.pk)
    competitor.save(update_fields=["name", "aliases"])
    after = {"name": competitor.name, "aliases": competitor.aliases}
    audit_record(organization=organization, action="competitor.updated", actor=by,
                 obj=competitor, data={"before": before, "after": after})
    return CompetitorWritten(competitor, neutrality_refresh_vendors(
        organization=organization, vendor_ids=None, by=by,
        cause=f"The competitor {before['name']} was changed: now {competitor.name}"
              + (f" (also {', '.join(competitor.aliases)})" if competitor.aliases else "")
              + "."))


@transaction.atomic
def competitor_delete(*, competitor: Competitor, by) -> list[NeutralityEvent]:
    """No longer a competitor: vendors it held stakes in may become neutral again."""
    organization = competitor.organization
    _lock(organization)
    name = competitor.name
    audit_record(organization=organization, action="competitor.deleted", actor=by,
                 obj=competitor, data={"name": name, "aliases": competitor.aliases})
    competitor.delete()
    return neutrality_refresh_vendors(organization=organization, vendor_ids=None, by=by,
                                      cause=f"{name} is no longer declared a competitor.")


def _lock(organization: Organization) -> None:
    # One writer at a time (so two can't both pass the duplicate check), and every vendor
    # locked before the audit entry: a competitor can change any vendor's status.
    registry_lock(organization)
    lock_vendors(organization, None)


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not normalise_name(name):
        raise DomainError("give a name with at least one letter or digit", field="name")
    if len(name) > NAME_LIMIT:
        raise DomainError(f"at most {NAME_LIMIT} characters", field="name")
    return name


def _clean_aliases(aliases: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for index, alias in enumerate(aliases):
        alias = " ".join(str(alias).split())
        if not normalise_name(alias):
            raise DomainError("give an alias with at least one letter or digit",
                              field=f"aliases[{index}]")
        if len(alias) > NAME_LIMIT:
            raise DomainError(f"at most {NAME_LIMIT} characters", field=f"aliases[{index}]")
        if normalise_name(alias) not in {normalise_name(known) for known in cleaned}:
            cleaned.append(alias)
    if len(cleaned) > MAX_ALIASES:
        raise DomainError(f"at most {MAX_ALIASES} aliases", field="aliases")
    return cleaned


def _refuse_duplicate(organization: Organization, name: str, aliases: list[str], *,
                      exclude) -> None:
    """Two competitors answering to the same name would make every finding ambiguous."""
    mine = {normalise_name(name): "name"} | {normalise_name(alias): "aliases" for alias in aliases}
    for other in Competitor.objects.filter(organization=organization).exclude(pk=exclude):
        clash = {normalise_name(n) for n in [other.name, *other.aliases]} & mine.keys()
        if clash:
            field = "name" if normalise_name(name) in clash else "aliases"
            raise DomainError(f"{other.name} is already declared under this name or alias",
                              field=field)


# --- Neutrality settings ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NeutralitySettings:
    thresholds: Thresholds
    overrides: dict
    auto_recheck: bool

    def as_dict(self) -> dict:
        """JSON-ready: the thresholds in force, what the buyer set, and the defaults."""
        return {"thresholds": _plain(self.thresholds), "overrides": dict(self.overrides),
                "auto_recheck": self.auto_recheck, "defaults": _plain(Thresholds())}


def _plain(thresholds: Thresholds) -> dict:
    return {key: float(value) if isinstance(value, Fraction) else value
            for key, value in asdict(thresholds).items()}


def neutrality_settings(organization: Organization) -> NeutralitySettings:
    """The thresholds in force (defaults with the buyer's overrides) and the re-check switch."""
    overrides = organization.neutrality_thresholds
    try:
        thresholds = Thresholds.build(overrides or None)
    except NeutralityInputError:  # only a hand-edited database gets here
        thresholds = Thresholds.build(None)
    return NeutralitySettings(thresholds, overrides, organization.auto_recheck)


@dataclass(frozen=True)
class SettingsWritten:
    settings: NeutralitySettings
    events: list[NeutralityEvent]


@transaction.atomic
def neutrality_settings_update(*, organization: Organization, thresholds: Mapping[str, Any],
                               auto_recheck: bool | None, by) -> SettingsWritten:
    """Replace the buyer's threshold overrides (absent keys fall back to the defaults) and,
    when given, the automatic re-check switch; statuses follow the new thresholds at once."""
    try:
        Thresholds.build(thresholds)
    except NeutralityInputError as error:
        raise DomainError(error.message, field=error.field) from None
    overrides = {key: _stored(value) for key, value in thresholds.items()}
    registry_lock(organization)
    # Lock and re-read: other keys of `settings` (cadence, ...) belong to other writers.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    lock_vendors(organization, None)
    before = {"thresholds": organization.neutrality_thresholds,
              "auto_recheck": organization.auto_recheck}
    organization.settings["neutrality_thresholds"] = overrides
    if auto_recheck is not None:
        organization.settings["auto_recheck"] = bool(auto_recheck)
    organization.save(update_fields=["settings"])
    audit_record(organization=organization, action="settings.neutrality_changed", actor=by,
                 obj=organization, data={"before": before, "after": {
                     "thresholds": overrides, "auto_recheck": organization.auto_recheck}})
    changed = ", ".join(f"{key} {_shown(value)}" for key, value in sorted(overrides.items()))
    events = neutrality_refresh_vendors(
        organization=organization, vendor_ids=None, by=by, recheck=False,
        cause="The neutrality thresholds changed" + (f" ({changed})." if changed
                                                     else " back to the defaults."))
    return SettingsWritten(neutrality_settings(organization), events)


def _stored(value: Any) -> Any:
    """A JSON number for a percentage (validated already), the value itself otherwise."""
    if isinstance(value, (str, bool)):
        return value
    number = Fraction(str(value))
    return int(number) if number.denominator == 1 else float(value)


def _shown(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_threshold(Fraction(str(value))) + "%"
    return str(value)
