"""The vendor registry API."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ..models import Vendor
from ..models.vendors import DATA_CATEGORIES, SERVICES
from .tenancy import OrganizationScopedMixin


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
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Vendor
        fields = ["criticality", "neutrality_status", "search"]


class VendorViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    queryset = Vendor.objects.all()
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
