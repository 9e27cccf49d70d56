"""API: the buyer's declared competitors and its neutrality settings.

A change to either can move every vendor's status, so writes go through services that
recompute them in the same transaction. Another tenant's competitor is a 404; compliance
reads and gets 403 on writes; only an admin changes the settings.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from questionnaires.core.api.errors import ErrorListSerializer
from questionnaires.core.api.fields import TextField
from questionnaires.core.api.permissions import IsAdmin, IsMember
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.ownership.models import Competitor
from questionnaires.ownership.neutrality.records import SEVERITIES
from questionnaires.ownership.services.competitors import (
    competitor_create,
    competitor_delete,
    competitor_update,
    neutrality_settings,
    neutrality_settings_update,
)

ERRORS = ErrorListSerializer


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERRORS, description=description)


READ_ERRORS = {401: _error("Not authenticated."), 404: _error("No such competitor, or not yours.")}
WRITE_ERRORS = {**READ_ERRORS, 400: _error("Invalid input, located by field."),
                403: _error("Compliance reads only."),
                409: _error("The re-check questionnaire cannot be issued.")}


class CompetitorSerializer(serializers.ModelSerializer):
    name = TextField(max_length=200, help_text=(
        "As the buyer knows it; matched to the ownership graph ignoring case, punctuation "
        "and legal forms."))
    aliases = serializers.ListField(child=TextField(max_length=200),
                                    required=False, help_text=(
        "Other names it trades under, e.g. a former name or a brand."))

    class Meta:
        model = Competitor
        fields = ["id", "name", "aliases", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_view(
    list=extend_schema(summary="The organisation's declared competitors",
                       responses={200: CompetitorSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One competitor",
                           responses={200: CompetitorSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Declare a competitor (every vendor's status is recomputed)",
                         responses={201: CompetitorSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(summary="Rename a competitor or replace its aliases",
                                 responses={200: CompetitorSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(summary="No longer a competitor (statuses are recomputed)",
                          responses={204: None, **WRITE_ERRORS}),
)
class CompetitorViewSet(OrganizationScopedMixin, viewsets.ModelViewSet):
    queryset = Competitor.objects.order_by("name", "id")
    serializer_class = CompetitorSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = competitor_create(
            organization=self.organization, by=self.request.user,
            name=serializer.validated_data["name"],
            aliases=serializer.validated_data.get("aliases", [])).competitor

    def perform_update(self, serializer):
        serializer.instance = competitor_update(
            competitor=serializer.instance, by=self.request.user,
            name=serializer.validated_data.get("name"),
            aliases=serializer.validated_data.get("aliases")).competitor

    def perform_destroy(self, instance):
        competitor_delete(competitor=instance, by=self.request.user)


# --- Settings --------------------------------------------------------------------------------------
# Wrapped in oneOf: spectacular would otherwise hoist this one choice set into a separate
# enum component per field name (BoardSeatEnum, ObserverSeatEnum, ...) and warn about it.
@extend_schema_field({"oneOf": [{"type": "string", "enum": list(SEVERITIES)}],
                      "description": "info (noted only), at_risk or conflicted"})
class SeverityField(serializers.ChoiceField):
    """How much a competitor's seat or right weighs against a vendor."""

    def __init__(self, **kwargs):
        super().__init__(choices=SEVERITIES, **kwargs)


PERCENT = {"max_digits": 7, "decimal_places": 4, "min_value": Decimal(0),
           "max_value": Decimal(100)}


class ThresholdsSerializer(serializers.Serializer):
    """Overrides of the defaults; a key left out takes its default."""

    at_risk_percent = serializers.DecimalField(**PERCENT, required=False, help_text=(
        "A competitor's share (or votes) at or above this makes the vendor at risk."))
    conflicted_percent = serializers.DecimalField(**PERCENT, required=False, help_text=(
        "At or above this, conflicted."))
    voting_control_percent = serializers.DecimalField(**PERCENT, required=False, help_text=(
        "More than this share of the votes is control."))
    board_seat = SeverityField(required=False)
    observer_seat = SeverityField(required=False)
    information_rights = SeverityField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({key: [f"unknown threshold; expected one of "
                                             f"{', '.join(self.fields)}"] for key in unknown})
        return super().to_internal_value(data)


class SettingsInputSerializer(serializers.Serializer):
    thresholds = ThresholdsSerializer(help_text="Replaces every override; {} restores defaults.")
    auto_recheck = serializers.BooleanField(required=False, help_text=(
        "Issue the rapid neutrality re-check when a vendor's status changes; absent: as is."))


SETTINGS = inline_serializer("NeutralitySettings", {
    "thresholds": inline_serializer("NeutralityThresholds", {
        "at_risk_percent": serializers.FloatField(),
        "conflicted_percent": serializers.FloatField(),
        "voting_control_percent": serializers.FloatField(),
        "board_seat": SeverityField(),
        "observer_seat": SeverityField(),
        "information_rights": SeverityField()}),
    "overrides": serializers.DictField(help_text="What the organisation set; the rest are "
                                                 "defaults."),
    "auto_recheck": serializers.BooleanField(),
    "defaults": serializers.DictField(),
})


class NeutralitySettingsView(OrganizationScopedMixin, APIView):
    def get_permissions(self):
        return [IsAdmin()] if self.request.method == "PUT" else [IsMember()]

    @extend_schema(summary="The neutrality thresholds in force and the re-check switch",
                   responses={200: SETTINGS, 401: READ_ERRORS[401]})
    def get(self, request):
        return Response(neutrality_settings(self.organization).as_dict())

    @extend_schema(summary="Replace the neutrality thresholds (admins only); every vendor's "
                           "status is recomputed",
                   request=SettingsInputSerializer,
                   responses={200: SETTINGS, 400: WRITE_ERRORS[400], 401: READ_ERRORS[401],
                              403: _error("Only an administrator may change the settings."),
                              409: WRITE_ERRORS[409]})
    def put(self, request):
        incoming = SettingsInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        written = neutrality_settings_update(
            organization=self.organization, by=request.user,
            thresholds=incoming.validated_data["thresholds"],
            auto_recheck=incoming.validated_data.get("auto_recheck"))
        return Response(written.settings.as_dict())


router = SimpleRouter(trailing_slash=True)
router.register("competitors", CompetitorViewSet, basename="competitor")

urlpatterns = [
    path("settings/neutrality/", NeutralitySettingsView.as_view(), name="settings-neutrality"),
    *router.urls,
]
