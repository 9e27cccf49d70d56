"""API: questionnaire templates (list, structure, import, export, clone, edit, publish)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from questionnaires.authoring.models import Template
from questionnaires.authoring.services.files import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    import_too_large,
    template_export,
    template_import,
    template_replace_draft,
)
from questionnaires.authoring.services.library import (
    templates_visible,
    with_counts,
    with_structure,
)
from questionnaires.authoring.services.templates import template_clone, template_publish
from questionnaires.core.api.parsers import JSONParser
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.core.errors import NotAllowed
from questionnaires.uploads.parsers import LimitedMultiPartParser


# --- Output ------------------------------------------------------------------------------------
class _Condition(serializers.CharField):
    """A stored condition: "" in the row, null in the API (as in the native format)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    score = serializers.FloatField()


class BandSerializer(serializers.Serializer):
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    score = serializers.FloatField()


class FlagSerializer(serializers.Serializer):
    when = serializers.CharField(allow_null=True)
    severity = serializers.ChoiceField(choices=["info", "low", "medium", "high", "critical"])
    title = serializers.CharField()
    recommendation = serializers.CharField(allow_blank=True)


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    required = serializers.BooleanField()
    weight = serializers.FloatField()
    allow_na = serializers.BooleanField()
    options = OptionSerializer(many=True)
    multi = serializers.CharField()
    bands = BandSerializer(many=True)
    min = serializers.FloatField(source="min_value", allow_null=True)
    max = serializers.FloatField(source="max_value", allow_null=True)
    evidence = serializers.CharField()
    evidence_penalty = serializers.FloatField()
    show_if = _Condition()
    flags = FlagSerializer(many=True)
    refs = serializers.ListField(child=serializers.CharField())


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    weight = serializers.FloatField()
    show_if = _Condition()
    questions = QuestionSerializer(many=True)


class TemplateSummarySerializer(serializers.ModelSerializer):
    question_count = serializers.IntegerField(read_only=True)
    section_count = serializers.IntegerField(read_only=True)
    is_library = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = ["id", "key", "name", "description", "version", "status", "source_format",
                  "organization", "is_library", "parent", "digest", "question_count",
                  "section_count", "created_at", "published_at"]
        read_only_fields = fields

    def get_is_library(self, template: Template) -> bool:
        return template.organization_id is None


class TemplateDetailSerializer(TemplateSummarySerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta(TemplateSummarySerializer.Meta):
        fields = [*TemplateSummarySerializer.Meta.fields, "tiers", "flag_penalties", "sections"]
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------------
class TemplateImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The questionnaire file.")
    format = serializers.ChoiceField(
        choices=IMPORT_FORMATS, required=False, allow_blank=True,
        help_text="native (Diligence YAML/JSON), vsaq, xlsx or csv; detected when absent.")
    extensions = serializers.ListField(
        child=serializers.FileField(), required=False,
        help_text="VSAQ extension files, applied in order onto a VSAQ base file.")


class ImportMultiPartParser(LimitedMultiPartParser):
    """Stops an import body (the file and its extensions) at IMPORT_MAX_BYTES, before it is
    read in full."""

    def limit(self) -> int:
        return settings.IMPORT_MAX_BYTES

    def refuse(self, size, *, what="the file", more_than=False):
        return import_too_large(size, what=what, more_than=more_than)


class TemplateFilter(filters.FilterSet):
    library = filters.BooleanFilter(field_name="organization", lookup_expr="isnull",
                                    label="true: only the built-in library; false: only yours")

    class Meta:
        model = Template
        fields = ["status", "key", "library"]


# --- Documented error responses ------------------------------------------------------------------
_ERRORS = inline_serializer("TemplateErrors", {"errors": inline_serializer("TemplateError", {
    "field": serializers.CharField(allow_null=True,
                                   help_text="a native path, a VSAQ item, or a sheet row/column"),
    "message": serializers.CharField(),
    "line": serializers.IntegerField(required=False),
    "item": serializers.CharField(required=False),
    "row": serializers.IntegerField(required=False),
    "column": serializers.CharField(required=False),
    "sheet": serializers.CharField(required=False),
    "file": serializers.CharField(required=False),
    "path": serializers.CharField(required=False),
}, many=True)})


def _errors(description: str) -> OpenApiResponse:
    return OpenApiResponse(_ERRORS, description=description)


_401 = _errors("Not authenticated.")
_403 = _errors("Not allowed: compliance reads only; the built-in library cannot change.")
_404 = _errors("No such template, or not yours.")
_409 = _errors("Wrong state: only a draft can change or be published.")


@extend_schema_view(
    list=extend_schema(summary="Templates the organisation can issue: its own and the library",
                       responses={200: TemplateSummarySerializer(many=True),
                                  401: _401, 403: _403,
                                  400: _errors("An unknown filter value."),
                                  404: _errors("No such page (`?page=` past the end).")}),
    retrieve=extend_schema(summary="A template's full structure",
                           responses={200: TemplateDetailSerializer, 401: _401, 403: _403,
                                      404: _404}),
)
class TemplateViewSet(OrganizationScopedMixin, mixins.ListModelMixin,
                      mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Questionnaire templates: the organisation's own and the built-in library (read and
    clone only). Another organisation's template is a 404 on every route."""

    serializer_class = TemplateSummarySerializer
    filterset_class = TemplateFilter
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Template.objects.none()
        # Own plus library, never the mixin's own-only filter: library templates are issued.
        queryset = with_counts(templates_visible(organization=self.organization))
        queryset = queryset.order_by("name", "-version", "id")  # stable across pages
        if self.action in ("retrieve", "update"):
            queryset = with_structure(queryset)
        return queryset

    def get_serializer_class(self):
        if self.action in ("retrieve", "update"):
            return TemplateDetailSerializer
        return TemplateSummarySerializer

    def perform_content_negotiation(self, request, force=False):
        if self.action == "export":
            # ?format= names the file format here; DRF would read it as a renderer and 404.
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_owned_object(self) -> Template:
        template = self.get_object()
        if template.organization_id is None:
            raise NotAllowed("the built-in library cannot change; clone the template into "
                             "an editable draft of your own")
        return template

    def _respond(self, template: Template, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=template.pk)  # with its counts (and structure)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Import a questionnaire file (native YAML/JSON, VSAQ, XLSX or CSV)",
        request={"multipart/form-data": TemplateImportSerializer},
        responses={201: TemplateSummarySerializer,
                   400: _errors("The file was refused: every problem, located in the file."),
                   401: _401, 403: _403, 413: _errors("The file is over IMPORT_MAX_BYTES.")})
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[ImportMultiPartParser, FormParser])
    def import_file(self, request):
        serializer = TemplateImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = template_import(file=data["file"], organization=self.organization,
                                   fmt=data.get("format") or None,
                                   extensions=data.get("extensions", []),
                                   created_by=request.user)
        return self._respond(template, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the template as a file that imports back unchanged",
        parameters=[OpenApiParameter("format", enum=list(EXPORT_FORMATS), default="native",
                                     description="native (YAML), json, xlsx or csv")],
        responses={**{(200, media.split(";")[0]): (OpenApiTypes.OBJECT
                                                    if media.startswith(("application/json",
                                                                         "application/yaml"))
                                                    else OpenApiTypes.BINARY)
                      for media, _ in EXPORT_FORMATS.values()},
                   400: _errors("Unknown format."), 401: _401, 403: _403, 404: _404})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        exported = template_export(template=self.get_object(),
                                   fmt=request.query_params.get("format") or "native")
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = content_disposition_header(True, exported.filename)
        return response

    @extend_schema(summary="Copy a template (yours or the library's) into a new draft of yours",
                   request=None,
                   responses={201: TemplateSummarySerializer, 401: _401, 403: _403, 404: _404})
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        draft = template_clone(template=self.get_object(), organization=self.organization,
                               by=request.user)
        return self._respond(draft, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a draft's content with a native spec (docs/native-format.md)",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: TemplateDetailSerializer,
                   400: _errors("The spec was refused: every problem, by its path."),
                   401: _401, 403: _403, 404: _404, 409: _409})
    def update(self, request, pk=None):
        template = template_replace_draft(template=self.get_owned_object(), raw=request.data,
                                          by=request.user)
        return self._respond(template)

    @extend_schema(summary="Publish a draft: from now on it can be issued and never changes",
                   request=None,
                   responses={200: TemplateSummarySerializer, 401: _401, 403: _403, 404: _404,
                              409: _409})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        template = template_publish(template=self.get_owned_object(), by=request.user)
        return self._respond(template)


router = SimpleRouter(trailing_slash=True)
router.register("templates", TemplateViewSet, basename="template")
urlpatterns = router.urls
