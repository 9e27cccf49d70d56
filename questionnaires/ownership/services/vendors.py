"""The vendor registry: creating, changing and removing a buyer's vendors.

A vendor's name and aliases are also how the neutrality analysis recognises it (a vendor
whose name is a competitor's is that competitor), so changing them recomputes its status.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from questionnaires.audit.services import audit_record
from questionnaires.core.errors import Conflict
from questionnaires.core.models import Organization
from questionnaires.ownership.models import Entity, NeutralityEvent, Vendor
from questionnaires.ownership.services.neutrality import (
    OwnershipGraph,
    lock_vendors,
    neutrality_refresh_vendors,
    registry_lock,
    vendor_entity,
)

# Fields a change of which the audit trail records in full; notes are long and free text,
# so only the fact that they changed is recorded.
AUDITED = ("name", "aliases", "website", "country", "services", "data_categories",
           "criticality", "contact_name", "contact_email", "reassessment_months")


def vendors_matching(vendors: QuerySet[Vendor], text: str) -> QuerySet[Vendor]:
    """The vendors whose name, other names or contact contain `text` (any case)."""
    text = text.strip()
    if not text:
        return vendors
    return vendors.filter(Q(name__icontains=text) | Q(aliases__icontains=text)
                          | Q(contact_name__icontains=text) | Q(contact_email__icontains=text))


@transaction.atomic
def vendor_create(*, organization: Organization, data: dict[str, Any], by) -> Vendor:
    """Register a vendor with the status its ownership already gives it.

    Stakes recorded earlier under the vendor's name count at once (`vendor_entity` adopts
    that entity). The first status is a starting point, not a change: no event, no re-check."""
    registry_lock(organization)
    vendor = Vendor.objects.create(organization=organization, **data)
    vendor_entity(vendor)
    vendor.neutrality_status = OwnershipGraph.load(organization).analyse(
        vendor, timezone.localdate()).status
    vendor.save(update_fields=["neutrality_status"])
    audit_record(organization=organization, action="vendor.created", actor=by, obj=vendor,
                 data={**{key: data[key] for key in AUDITED if key in data},
                       "neutrality_status": vendor.neutrality_status})
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, data: dict[str, Any], by) -> tuple[Vendor,
                                                                        list[NeutralityEvent]]:
    """Change the vendor's fields; its entity in the ownership graph follows its name."""
    registry_lock(vendor.organization)
    vendor = Vendor.objects.select_for_update().select_related("organization").get(pk=vendor.pk)
    changed = {key: value for key, value in data.items() if getattr(vendor, key) != value}
    if not changed:
        return vendor, []
    before = {key: getattr(vendor, key) for key in changed}
    for key, value in changed.items():
        setattr(vendor, key, value)
    vendor.save()
    audit_record(organization=vendor.organization, action="vendor.updated", actor=by,
                 obj=vendor, data={"changed": sorted(changed),
                                   "before": {k: v for k, v in before.items() if k in AUDITED},
                                   "after": {k: v for k, v in changed.items() if k in AUDITED}})
    if not {"name", "aliases"} & changed.keys():
        return vendor, []
    entity = Entity.objects.filter(vendor=vendor).first()
    if entity is not None:
        entity.aliases = vendor.aliases
        fields = ["aliases"]
        if not Entity.objects.filter(organization=vendor.organization,
                                     name=vendor.name).exclude(pk=entity.pk).exists():
            entity.name = vendor.name
            fields.append("name")
        entity.save(update_fields=fields)
    events = neutrality_refresh_vendors(
        organization=vendor.organization, vendor_ids=[vendor.pk], by=by, recheck=False,
        cause=f"{before.get('name', vendor.name)} changed its name or aliases.")
    vendor.refresh_from_db(fields=["neutrality_status", "updated_at"])
    return vendor, events


@transaction.atomic
def vendor_delete(*, vendor: Vendor, by) -> list[NeutralityEvent]:
    """Remove a vendor that was never assessed, with the stakes in and of it.

    An assessed vendor stays: its assessments, answers and reports are what the audit
    trail and the buyer's compliance record point to."""
    organization = vendor.organization
    registry_lock(organization)
    graph = OwnershipGraph.load(organization)
    # Stakes the vendor held in others go with it: those vendors may change status. Lock
    # them with the vendor itself, in id order, before the audit entry (see registry_lock).
    reached = graph.vendors_below([graph.node_of(vendor)]) - {str(vendor.pk)}
    lock_vendors(organization, {*reached, str(vendor.pk)})
    vendor = Vendor.objects.select_related("organization").get(pk=vendor.pk)
    assessed = vendor.assessments.count()
    if assessed:
        raise Conflict(f"{vendor.name} has {assessed} assessment{'s' if assessed != 1 else ''}; "
                       "a vendor that was assessed stays in the registry for the record "
                       "(set its criticality to low instead)")
    audit_record(organization=organization, action="vendor.deleted", actor=by, obj=vendor,
                 data={"name": vendor.name})
    name = vendor.name
    vendor.delete()
    return neutrality_refresh_vendors(organization=organization, vendor_ids=reached, by=by,
                                      recheck=False, cause=f"{name} was removed from the vendor registry.")
