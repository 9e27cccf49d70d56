"""The demo data `manage.py demo` loads: fictional names, idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import Competitor, Membership, Organization, Vendor

DEMO_PASSWORD = "diligence-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = [("alice", "admin"), ("rob", "reviewer"), ("cora", "compliance")]
DEMO_VENDORS = [
    {"name": "LabelWorks", "country": "US", "criticality": "critical",
     "services": ["annotation", "rlhf"], "data_categories": ["training_data", "label_schemas"],
     "website": "https://labelworks.example", "contact_name": "Lena Park",
     "contact_email": "lena@labelworks.example"},
    {"name": "Annotada", "country": "ES", "criticality": "high",
     "services": ["annotation", "evaluation"],
     "data_categories": ["training_data", "evaluation_sets"],
     "website": "https://annotada.example", "contact_name": "Jesús Núñez",
     "contact_email": "jesus@annotada.example"},
    {"name": "TruthSet", "country": "GB", "criticality": "medium",
     "services": ["evaluation", "red_teaming"], "data_categories": ["model_outputs"],
     "website": "https://truthset.example", "contact_name": "Sam Okafor",
     "contact_email": "sam@truthset.example"},
]


@dataclass
class DemoResult:
    organization: Organization
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def demo_load() -> DemoResult:
    """Create (or find) the demo buyer, its people, its competitor and its vendors."""
    organization, _ = Organization.objects.get_or_create(name="Acme Labs",
                                                         defaults={"kind": "buyer"})
    result = DemoResult(organization=organization)
    User = get_user_model()
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@acme-labs.example"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, defaults={"organization": organization,
                                                              "role": role})
        result.logins.append((username, DEMO_PASSWORD, role))
    Competitor.objects.get_or_create(
        organization=organization, name="Orbital Dynamics",
        defaults={"aliases": ["Orbital", "Orbital Dynamics Inc."]})
    for data in DEMO_VENDORS:
        Vendor.objects.get_or_create(organization=organization, name=data["name"],
                                     defaults={k: v for k, v in data.items() if k != "name"})
    return result
