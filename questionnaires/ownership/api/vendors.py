"""The vendor registry API.

Writes go through ownership/services/vendors.py: a vendor's name and aliases are also how the
neutrality analysis recognises it, and each change is on the audit trail.
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from questionnaires.core.api.errors import error_response
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.ownership.api.registry import READ_ERRORS, WRITE_ERRORS
from questionnaires.ownership.models import DATA_CATEGORIES, SERVICES, Vendor
from questionnaires.ownership.services.vendors import (
    vendor_create,
    vendor_delete,
    vendor_update,
    vendors_matching,
)


class VendorSerializer(serializers.ModelSerializer):
    services = serializers.ListField(child=serializers.ChoiceField(choices=SERVICES),
                                     required=False)
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DATA_CATEGORIES), required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200),
                                    required=False)

    class Meta:
        model = Vendor
        fields = ["id", "name", "aliases", "website", "country", "services",
                  "data_categories", "criticality", "contact_name", "contact_email", "notes",
                  "reassessment_months", "neutrality_status", "created_at", "updated_at"]
        read_only_fields = ["id", "neutrality_status", "created_at", "updated_at"]

    def validate_country(self, value: str) -> str:
        if value and (len(value) != 2 or not value.isalpha()):
            raise serializers.ValidationError("Use a two-letter ISO 3166-1 country code.")
        return value.upper()

    def validate_name(self, value: str) -> str:
        organization = self.context["view"].organization
        clash = Vendor.objects.filter(organization=organization, name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("A vendor with this name is already registered.")
        return value


class VendorFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search",
                                label="Part of the name, an alias or the contact")

    class Meta:
        model = Vendor
        fields = ["criticality", "neutrality_status", "search"]

    def filter_search(self, queryset, name, value):
        return vendors_matching(queryset, value)


@extend_schema_view(
    list=extend_schema(responses={200: VendorSerializer(many=True), **READ_ERRORS,
                                  400: error_response("an unknown criticality or "
                                                      "neutrality_status filter value")}),
    retrieve=extend_schema(responses={200: VendorSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: VendorSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: VendorSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(description="Refused (409) for a vendor that was ever assessed.",
                          responses={204: None, **WRITE_ERRORS}),
)
class VendorViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    queryset = Vendor.objects.order_by("name", "id")
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = vendor_create(organization=self.organization,
                                            data=serializer.validated_data, by=self.request.user)

    def perform_update(self, serializer):
        serializer.instance, _ = vendor_update(vendor=serializer.instance,
                                               data=serializer.validated_data,
                                               by=self.request.user)

    def perform_destroy(self, instance):
        vendor_delete(vendor=instance, by=self.request.user)
