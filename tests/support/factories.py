"""factory_boy factories for the core model."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from questionnaires import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Buyer {n}")
    kind = "buyer"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "admin"


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Vendor

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Vendor {n}")
    criticality = "high"
    contact_name = "Vera Vendor"
    contact_email = factory.Sequence(lambda n: f"contact{n}@vendor.test")


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Competitor

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Competitor {n}")


def due_in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
