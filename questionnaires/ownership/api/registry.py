"""API: ownership stakes, the entities of the ownership graph, and a vendor's neutrality.

Chains are recorded top-down: a stake in a vendor names its holder (found or created by
name), and a stake in any entity of the graph goes to `/entities/{id}/stakes/`, the entity's
id coming from the stake that created it (`holder_id`) or from `/entities/?search=`.
Every queryset is scoped to the caller's organisation, so another tenant's vendor, entity
or stake is a 404; compliance reads and gets 403 on every write.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from questionnaires.core import dates
from questionnaires.core.api.errors import ErrorListSerializer
from questionnaires.core.api.fields import DayField
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.ownership.api import competitors
from questionnaires.ownership.models import Entity, NeutralityEvent, Stake, Vendor
from questionnaires.ownership.services.neutrality import (
    OwnershipGraph,
    vendor_neutrality_on,
    vendor_status_changes,
)
from questionnaires.ownership.services.stakes import (
    CORRECTABLE,
    StakeInput,
    StakeWritten,
    stake_correct,
    stake_delete,
    stake_dispose,
    stake_record,
    vendor_stake_record,
)

PERCENT = {"max_digits": 7, "decimal_places": 4, "min_value": Decimal(0),
           "max_value": Decimal(100)}
MAX_SEATS = 1000


# --- Documented errors ---------------------------------------------------------------------------
OWNERSHIP_ERRORS = ErrorListSerializer


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(OWNERSHIP_ERRORS, description=description)


READ_ERRORS = {401: _error("Not authenticated."),
               404: _error("No such vendor, entity or stake, or not yours.")}
WRITE_ERRORS = {**READ_ERRORS,
                400: _error("Invalid input, located by field: a percentage outside 0-100, "
                            "dates out of order or in the future, or stakes in the subject "
                            "that would total more than 100% on a named date."),
                403: _error("Compliance reads only."),
                409: _error("The ownership graph cannot be analysed, or the re-check "
                            "questionnaire cannot be issued.")}


@extend_schema_field({"type": "string", "enum": list(Entity.Kind.values)})
class KindField(serializers.ChoiceField):
    """An entity's kind, inline so the schema has one enum for it (the entity's `kind`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Entity.Kind.choices, **kwargs)


# --- Serializers ---------------------------------------------------------------------------------
class StakeInputSerializer(serializers.Serializer):
    holder = serializers.CharField(max_length=200, help_text=(
        "Who holds the stake, by name; matched to the graph's entities ignoring case, "
        "punctuation and legal forms (\"Orbital Dynamics, Inc.\" is \"Orbital Dynamics\"), "
        "created when new."))
    holder_parent = serializers.CharField(max_length=200, allow_null=True, required=False,
                                          help_text=(
        "The holder's declared parent, by name (a fund's manager, a subsidiary's group): the "
        "holder then counts on its parent's side. Null or absent leaves it as it is."))
    holder_kind = KindField(required=False,
                            help_text="For a holder created now; default company.")
    percent = serializers.DecimalField(**PERCENT, help_text="Share of the subject's equity.")
    voting_percent = serializers.DecimalField(**PERCENT, allow_null=True, required=False,
                                              help_text="Share of the votes; null: as equity.")
    board_seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS, default=0)
    observer_seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS, default=0)
    information_rights = serializers.BooleanField(default=False)
    acquired_on = DayField(allow_null=True, required=False,
                                        help_text="Null: held since an unknown date.")
    disposed_on = DayField(allow_null=True, required=False)
    source = serializers.CharField(max_length=300, allow_blank=True, default="",
                                   help_text="Where this is known from (filing, press release).")

    def validate(self, data: dict) -> dict:
        acquired, disposed = data.get("acquired_on"), data.get("disposed_on")
        if acquired and disposed and disposed < acquired:
            raise ValidationError({"disposed_on": [
                f"{disposed.isoformat()} is before acquired_on ({acquired.isoformat()})"]})
        return data

    def to_input(self) -> StakeInput:
        return StakeInput(**self.validated_data)


class StakePatchSerializer(serializers.Serializer):
    """A correction: only the fields sent change. `disposed_on` (and `source`) alone record
    a disposal, as in v1; any other field corrects what was recorded."""

    percent = serializers.DecimalField(**PERCENT, required=False)
    voting_percent = serializers.DecimalField(**PERCENT, allow_null=True, required=False)
    board_seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS, required=False)
    observer_seats = serializers.IntegerField(min_value=0, max_value=MAX_SEATS, required=False)
    information_rights = serializers.BooleanField(required=False)
    acquired_on = DayField(allow_null=True, required=False)
    disposed_on = DayField(allow_null=True, required=False, help_text=(
        "The day the holder gave the stake up; null undoes a disposal recorded by mistake."))
    source = serializers.CharField(max_length=300, allow_blank=True, required=False)

    def validate(self, data: dict) -> dict:
        if not data:
            raise ValidationError({"non_field_errors": [
                f"name at least one field to change: {', '.join(CORRECTABLE)}"]})
        return data

    @property
    def is_disposal(self) -> bool:
        data = self.validated_data
        return "disposed_on" in data and set(data) <= {"disposed_on", "source"}


class NeutralityEventSummarySerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)

    class Meta:
        model = NeutralityEvent
        fields = ["id", "vendor", "vendor_name", "from_status", "to_status", "recheck",
                  "created_at"]
        read_only_fields = fields


class StakeDeletedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    deleted = serializers.BooleanField()
    neutrality_events = NeutralityEventSummarySerializer(many=True, help_text=(
        "The status changes the deletion caused, one per vendor it reached."))


class StakeSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")
    holder_id = serializers.UUIDField(source="holder.id")
    holder_kind = serializers.CharField(source="holder.kind")
    holder_parent = serializers.CharField(source="holder.parent.name", allow_null=True)
    holder_parent_id = serializers.UUIDField(source="holder.parent.id", allow_null=True)
    subject = serializers.CharField(source="subject.name")
    subject_id = serializers.UUIDField(source="subject.id")
    vendor = serializers.UUIDField(source="subject.vendor_id", allow_null=True,
                                   help_text="The vendor the subject stands for, if any.")
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=False)
    voting_percent = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True,
                                              coerce_to_string=False)
    held_today = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)

    class Meta:
        model = Stake
        fields = ["id", "holder", "holder_id", "holder_kind", "holder_parent",
                  "holder_parent_id", "subject", "subject_id", "vendor", "percent",
                  "voting_percent", "board_seats", "observer_seats", "information_rights",
                  "acquired_on", "disposed_on", "held_today", "source", "created_by",
                  "created_at"]
        read_only_fields = fields

    def get_held_today(self, stake: Stake) -> bool:
        return stake.is_held_on(timezone.localdate())


class StakeWrittenSerializer(StakeSerializer):
    neutrality_events = NeutralityEventSummarySerializer(many=True, read_only=True, help_text=(
        "The status changes this write caused, one per vendor it reached (usually none)."))

    class Meta(StakeSerializer.Meta):
        fields = [*StakeSerializer.Meta.fields, "neutrality_events"]
        read_only_fields = fields


class EntitySerializer(serializers.ModelSerializer):
    parent_name = serializers.CharField(source="parent.name", allow_null=True, read_only=True)

    class Meta:
        model = Entity
        fields = ["id", "name", "kind", "aliases", "vendor", "parent", "parent_name",
                  "created_at"]
        read_only_fields = fields


class NeutralityEventSerializer(NeutralityEventSummarySerializer):
    class Meta(NeutralityEventSummarySerializer.Meta):
        fields = [*NeutralityEventSummarySerializer.Meta.fields, "stake", "findings"]
        read_only_fields = fields


FINDING_FIELDS = {
    "severity": serializers.ChoiceField(choices=["info", "at_risk", "conflicted",
                                                 "discrepancy"]),
    "competitor": serializers.CharField(allow_null=True),
    "holder": serializers.CharField(),
    "percent": serializers.FloatField(help_text="Effective share of the vendor, 4 decimals."),
    "voting_percent": serializers.FloatField(),
    "path": serializers.ListField(child=serializers.CharField(), help_text=(
        "From the entity matching the competitor down to the vendor.")),
    "reason": serializers.CharField(),
    "board_seats": serializers.IntegerField(),
    "observer_seats": serializers.IntegerField(),
    "information_rights": serializers.BooleanField(),
    "voting_control": serializers.BooleanField(),
    "paths": serializers.ListField(child=serializers.DictField()),
}
NEUTRALITY = inline_serializer("VendorNeutrality", {
    "vendor": serializers.UUIDField(),
    "vendor_name": serializers.CharField(),
    "on": serializers.DateField(),
    "status": serializers.ChoiceField(choices=["neutral", "at_risk", "conflicted"]),
    "findings": inline_serializer("NeutralityFinding", FINDING_FIELDS, many=True),
    "discrepancy": serializers.BooleanField(help_text=(
        "The latest assessment submitted by `on` contradicts the registry.")),
    "cross_checked_assessment": serializers.UUIDField(allow_null=True),
    "cycles": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
    "changes": inline_serializer("NeutralityChange", {
        "date": serializers.DateField(), "from": serializers.CharField(),
        "to": serializers.CharField(), "reason": serializers.CharField()}, many=True),
})


# --- Stakes ----------------------------------------------------------------------------------------
def _written(written: StakeWritten) -> dict:
    stake = (Stake.objects.select_related("holder__parent", "subject", "created_by")
             .get(pk=written.stake.pk))
    stake.neutrality_events = written.events
    return StakeWrittenSerializer(stake).data


class _Stakes(OrganizationScopedMixin):
    """What the stake views share: the scoped queryset and the subject they are about."""

    queryset = Stake.objects.select_related("holder__parent", "subject", "created_by")
    serializer_class = StakeSerializer
    lookup_url_kwarg = "stake_pk"

    def subject_filter(self) -> dict:
        raise NotImplementedError

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.filter(**self.subject_filter()).order_by(
            F("acquired_on").asc(nulls_first=True), "created_at", "id")


class _VendorStakes(_Stakes):
    @cached_property
    def vendor(self) -> Vendor:
        return get_object_or_404(Vendor.objects.filter(organization=self.organization),
                                 pk=self.kwargs["vendor_pk"])

    def subject_filter(self) -> dict:
        return {"subject__vendor": self.vendor}


class _EntityStakes(_Stakes):
    @cached_property
    def entity(self) -> Entity:
        return get_object_or_404(Entity.objects.filter(organization=self.organization),
                                 pk=self.kwargs["entity_pk"])

    def subject_filter(self) -> dict:
        return {"subject": self.entity}


class _StakeCreate:
    def record(self, data: StakeInput) -> StakeWritten:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        self.subject_filter()  # another tenant's subject is a 404 before any validation
        incoming = StakeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response(_written(self.record(incoming.to_input())),
                        status=status.HTTP_201_CREATED)


_CREATE_HELP = ("Recomputes the status of every vendor the stake reaches; a change creates a "
                "neutrality event, emails the admins and (auto_recheck) issues the rapid "
                "re-check to the vendor's contact, all in the same transaction.")


class _StakeChange:
    """PATCH corrects or disposes of a stake; DELETE removes one recorded by mistake."""

    def update(self, request, *args, **kwargs):
        stake = self.get_object()
        # partial: a form body that leaves a boolean out must not mean "false"
        incoming = StakePatchSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        if incoming.is_disposal:
            written = stake_dispose(stake=stake, by=request.user, **incoming.validated_data)
        else:
            written = stake_correct(stake=stake, changes=dict(incoming.validated_data),
                                    by=request.user)
        return Response(_written(written))

    def destroy(self, request, *args, **kwargs):
        stake = self.get_object()
        stake_id = stake.pk
        events = stake_delete(stake=stake, by=request.user)
        return Response(StakeDeletedSerializer(
            {"id": stake_id, "deleted": True, "neutrality_events": events}).data)


_PATCH = extend_schema(
    summary="Correct a stake, or record that the holder gave it up (disposed_on)",
    description=("Only the fields sent change. `disposed_on` (with `source`) alone records "
                 "a disposal; any other field corrects what was recorded, with the same "
                 "checks as recording it. " + _CREATE_HELP),
    request=StakePatchSerializer, responses={200: StakeWrittenSerializer, **WRITE_ERRORS})
_DELETE = extend_schema(
    summary="Delete a stake recorded by mistake",
    description=("A stake that ended is disposed of (PATCH `disposed_on`) instead, which "
                 "keeps its history. The deletion is audited; " + _CREATE_HELP),
    request=None, responses={200: StakeDeletedSerializer, **WRITE_ERRORS})


@extend_schema_view(
    get=extend_schema(summary="The stakes held in a vendor",
                      responses={200: StakeSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(summary="Record a stake in a vendor", description=_CREATE_HELP,
                       request=StakeInputSerializer,
                       responses={201: StakeWrittenSerializer, **WRITE_ERRORS}))
class VendorStakesView(_StakeCreate, _VendorStakes, generics.ListCreateAPIView):
    def record(self, data: StakeInput) -> StakeWritten:
        return vendor_stake_record(vendor=self.vendor, data=data, by=self.request.user)


@extend_schema_view(
    get=extend_schema(summary="One stake in a vendor",
                      responses={200: StakeSerializer, **READ_ERRORS}),
    patch=_PATCH, delete=_DELETE)
class VendorStakeView(_StakeChange, _VendorStakes, generics.RetrieveUpdateDestroyAPIView):
    http_method_names = ["get", "patch", "delete", "head", "options"]


@extend_schema_view(
    get=extend_schema(summary="The stakes held in an entity of the ownership graph",
                      responses={200: StakeSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(summary="Record a stake in an entity (one link of a chain above a "
                               "vendor)", description=_CREATE_HELP,
                       request=StakeInputSerializer,
                       responses={201: StakeWrittenSerializer, **WRITE_ERRORS}))
class EntityStakesView(_StakeCreate, _EntityStakes, generics.ListCreateAPIView):
    def record(self, data: StakeInput) -> StakeWritten:
        return stake_record(organization=self.organization, subject=self.entity, data=data,
                            by=self.request.user)


@extend_schema_view(
    get=extend_schema(summary="One stake in an entity",
                      responses={200: StakeSerializer, **READ_ERRORS}),
    patch=_PATCH, delete=_DELETE)
class EntityStakeView(_StakeChange, _EntityStakes, generics.RetrieveUpdateDestroyAPIView):
    http_method_names = ["get", "patch", "delete", "head", "options"]


# --- Entities --------------------------------------------------------------------------------------
@extend_schema_view(get=extend_schema(
    summary="The companies, funds and people of the ownership graph",
    parameters=[OpenApiParameter("search", str, description="Part of the name.")],
    responses={200: EntitySerializer(many=True), **READ_ERRORS}))
class EntitiesView(OrganizationScopedMixin, generics.ListAPIView):
    queryset = Entity.objects.select_related("parent").order_by("name", "id")
    serializer_class = EntitySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        search = self.request.query_params.get("search", "").strip()
        return queryset.filter(name__icontains=search) if search else queryset


@extend_schema_view(get=extend_schema(summary="One entity of the ownership graph",
                                      responses={200: EntitySerializer, **READ_ERRORS}))
class EntityView(OrganizationScopedMixin, generics.RetrieveAPIView):
    queryset = Entity.objects.select_related("parent")
    serializer_class = EntitySerializer
    lookup_url_kwarg = "entity_pk"


# --- Neutrality ------------------------------------------------------------------------------------
def parse_day(value: str | None, field: str = "on") -> datetime.date:
    """`?on=YYYY-MM-DD`, today when absent; a located 400 otherwise (also for a day
    outside the accepted range, where the history arithmetic would overflow)."""
    if not value:
        return timezone.localdate()
    try:
        return dates.parse_day(value)
    except DjangoValidationError as error:
        raise ValidationError({field: error.messages}) from None


class VendorNeutralityView(OrganizationScopedMixin, APIView):
    @extend_schema(
        summary="A vendor's neutrality on a day: status, findings with paths and reasons",
        description=("Recomputed from the ownership registry as it stood on `on` (default "
                     "today), so any past status can be reproduced. Includes a `discrepancy` "
                     "finding for each answer of the latest assessment submitted by then that "
                     "the registry contradicts, and `changes`: when and why the status "
                     "changed up to `on`."),
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Default: today.")],
        responses={200: NEUTRALITY, 400: _error("`on` is not a date."), **READ_ERRORS,
                   409: _error("The ownership graph is too complex to analyse.")})
    def get(self, request, vendor_pk):
        vendor = get_object_or_404(Vendor.objects.filter(organization=self.organization),
                                   pk=vendor_pk)
        vendor.organization = self.organization
        on = parse_day(request.query_params.get("on"))
        graph = OwnershipGraph.load(self.organization)
        body = vendor_neutrality_on(vendor=vendor, on=on, graph=graph).as_dict()
        body["changes"] = [change.as_dict() for change in
                           vendor_status_changes(vendor=vendor, graph=graph, end=on)]
        return Response(body)


@extend_schema_view(get=extend_schema(
    summary="A vendor's recorded neutrality events (change-of-control), newest first",
    responses={200: NeutralityEventSerializer(many=True), **READ_ERRORS}))
class VendorNeutralityEventsView(_VendorStakes, generics.ListAPIView):
    queryset = NeutralityEvent.objects.select_related("vendor")
    serializer_class = NeutralityEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NeutralityEvent.objects.none()
        return (NeutralityEvent.objects.select_related("vendor")
                .filter(organization=self.organization, vendor=self.vendor)
                .order_by("-created_at", "id"))


urlpatterns = [
    path("vendors/<uuid:vendor_pk>/stakes/", VendorStakesView.as_view(), name="vendor-stakes"),
    path("vendors/<uuid:vendor_pk>/stakes/<uuid:stake_pk>/", VendorStakeView.as_view(),
         name="vendor-stake"),
    path("vendors/<uuid:vendor_pk>/neutrality/", VendorNeutralityView.as_view(),
         name="vendor-neutrality"),
    path("vendors/<uuid:vendor_pk>/neutrality/events/", VendorNeutralityEventsView.as_view(),
         name="vendor-neutrality-events"),
    path("entities/", EntitiesView.as_view(), name="entities"),
    path("entities/<uuid:entity_pk>/", EntityView.as_view(), name="entity"),
    path("entities/<uuid:entity_pk>/stakes/", EntityStakesView.as_view(), name="entity-stakes"),
    path("entities/<uuid:entity_pk>/stakes/<uuid:stake_pk>/", EntityStakeView.as_view(),
         name="entity-stake"),
    *competitors.urlpatterns,
]
