"""API: score runs, scoring jobs, re-scoring a template, and the buyer's own scenarios.

* `GET /assessments/{id}/scores/`: every score run of the assessment, newest first, with
  the explanation the engine wrote for each number.
* `GET /assessments/{id}/scoring-jobs/`: the outbox rows behind them: pending, dispatched,
  done or failed (with the reason and the number of attempts).
* `POST /templates/{id}/rescore/`: queue scoring for the template's submitted assessments
  of the caller's organisation that lack a score (202 with the number of new jobs).
* `GET, POST /scenarios/`, `GET, PUT, DELETE /scenarios/{id}/`: custom stress tests,
  validated when saved (400 with each problem located under `definition`).

Every lookup goes through the caller's organisation: another tenant's assessment, template
or scenario is a 404. Compliance reads everything here and changes nothing (403).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from questionnaires.assessments.models import Assessment
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.library import templates_visible
from questionnaires.core.api.errors import error_response
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.scoring.models import Scenario, ScoreRun, ScoringJob
from questionnaires.scoring.services.outbox import scoring_rescore
from questionnaires.scoring.services.scenarios import (
    scenario_create,
    scenario_delete,
    scenario_parse_text,
    scenario_update,
)

READ_ERRORS = {401: error_response("not authenticated"),
               403: error_response("not a member of a buyer organisation"),
               404: error_response("no such object, or not yours")}
WRITE_ERRORS = {**READ_ERRORS,
                403: error_response("your role may read but not change (compliance)")}


# --- Score runs -------------------------------------------------------------------------------
class ScoreSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="0..100; null: nothing took part")
    weight = serializers.FloatField()
    answered = serializers.IntegerField()
    scored_questions = serializers.IntegerField()


class ScoreFlagSerializer(serializers.Serializer):
    severity = serializers.CharField()
    question = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    recommendation = serializers.CharField(allow_null=True)
    penalty = serializers.FloatField(help_text="points taken off the overall")


class BrokenQuestionSerializer(serializers.Serializer):
    question = serializers.CharField()
    title = serializers.CharField()
    section = serializers.CharField()
    before = serializers.FloatField(allow_null=True)
    after = serializers.FloatField(allow_null=True)
    why = serializers.CharField()


class ScenarioResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    stresses = serializers.ListField(child=serializers.CharField())
    overall = serializers.FloatField()
    tier = serializers.CharField()
    delta = serializers.FloatField(help_text="overall under the scenario minus the baseline")
    neutrality = serializers.CharField(allow_null=True)
    broken = BrokenQuestionSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


class NeutralitySerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True, help_text="null: no ownership data")
    penalty = serializers.FloatField()
    reason = serializers.CharField()


class ExplanationSerializer(serializers.Serializer):
    overall = serializers.CharField()
    base = serializers.CharField()
    flags = serializers.CharField()
    neutrality = serializers.CharField()
    tier = serializers.CharField()
    sections = serializers.DictField(child=serializers.CharField(),
                                     help_text="section key -> how its score was reached")


class ScoreRunSerializer(serializers.ModelSerializer):
    sections = ScoreSectionSerializer(many=True, read_only=True, source="result.sections")
    flags = ScoreFlagSerializer(many=True, read_only=True, source="result.flags")
    scenarios = ScenarioResultSerializer(many=True, read_only=True)
    neutrality = NeutralitySerializer(read_only=True, source="result.neutrality")
    explanation = ExplanationSerializer(read_only=True, source="result.explanation")
    # A plain string in the schema: the same four values are already the vendor
    # criticality enum, and one choice set under two names is a schema warning.
    tier = serializers.CharField(read_only=True, help_text="low, medium, high or critical")

    class Meta:
        model = ScoreRun
        fields = ["id", "created_at", "engine_version", "digest", "overall", "tier",
                  "sections", "flags", "scenarios", "neutrality", "explanation"]
        read_only_fields = fields


class ScoringJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringJob
        fields = ["id", "digest", "status", "attempts", "error", "created_at",
                  "dispatched_at", "finished_at"]
        read_only_fields = fields


class _AssessmentChildList(OrganizationScopedMixin, generics.GenericAPIView):
    """A paginated list of one of the caller's assessments' rows, newest first."""

    queryset = Assessment.objects.all()
    model: type

    def get(self, request, pk):
        assessment = self.get_object()
        rows = self.model.objects.filter(assessment=assessment).order_by("-created_at", "-pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AssessmentScoresView(_AssessmentChildList):
    serializer_class = ScoreRunSerializer
    model = ScoreRun

    @extend_schema(summary="The assessment's score runs, newest first",
                   responses={200: ScoreRunSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk):
        return super().get(request, pk)


class AssessmentScoringJobsView(_AssessmentChildList):
    serializer_class = ScoringJobSerializer
    model = ScoringJob

    @extend_schema(summary="The assessment's scoring jobs (the outbox), newest first",
                   responses={200: ScoringJobSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk):
        return super().get(request, pk)


# --- Re-scoring --------------------------------------------------------------------------------
class RescoreSerializer(serializers.Serializer):
    all_engine = serializers.BooleanField(
        required=False, default=False,
        help_text="also re-score answers scored only by an older engine version")


class TemplateRescoreView(OrganizationScopedMixin, generics.GenericAPIView):
    serializer_class = RescoreSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Template.objects.none()
        # Own templates and the library's: the organisation's assessments of either.
        return templates_visible(organization=self.organization)

    @extend_schema(
        summary="Queue scoring for the template's submitted assessments that lack a score",
        request=RescoreSerializer,
        responses={202: OpenApiResponse(
            inline_serializer("RescoreQueued", {"jobs": serializers.IntegerField()}),
            description="the number of new scoring jobs; 0 when every assessment is scored"),
            400: error_response("invalid input"), **WRITE_ERRORS})
    def post(self, request, pk):
        template = self.get_object()
        serializer = RescoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        jobs = scoring_rescore(template=template, organization=self.organization,
                               all_engine=serializer.validated_data["all_engine"],
                               by=request.user)
        return Response({"jobs": jobs}, status=status.HTTP_202_ACCEPTED)


# --- Custom scenarios --------------------------------------------------------------------------
class ScenarioSerializer(serializers.ModelSerializer):
    definition = serializers.JSONField(
        help_text="the scenario, in the shape of scoring/scenario.schema.json; its key and "
                  "title become the scenario's. A string is read as YAML or JSON text, as "
                  "typed into the page (no aliases, at most 64 KB)")

    class Meta:
        model = Scenario
        fields = ["id", "key", "title", "definition", "created_at"]
        read_only_fields = ["id", "key", "title", "created_at"]


_SCENARIO_400 = error_response("the definition was refused: every problem, located under "
                        "`definition` (definition.changes.add_stakes[0].percent)")


@extend_schema_view(
    list=extend_schema(summary="The organisation's own stress-test scenarios",
                       responses={200: ScenarioSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary="One scenario",
                           responses={200: ScenarioSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Add a scenario; it runs with every scoring from now on",
                         responses={201: ScenarioSerializer, 400: _SCENARIO_400,
                                    **WRITE_ERRORS}),
    update=extend_schema(summary="Replace a scenario's definition",
                         responses={200: ScenarioSerializer, 400: _SCENARIO_400,
                                    **WRITE_ERRORS}),
    destroy=extend_schema(summary="Delete a scenario (score runs keep their results)",
                          responses={204: OpenApiResponse(description="deleted"),
                                     **WRITE_ERRORS}),
)
class ScenarioViewSet(OrganizationScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    queryset = Scenario.objects.all()
    serializer_class = ScenarioSerializer
    http_method_names = ["get", "post", "put", "delete", "head", "options"]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return super().get_queryset().order_by("title", "key")

    def perform_create(self, serializer):
        serializer.instance = scenario_create(
            organization=self.organization, definition=_definition(serializer),
            by=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = scenario_update(
            scenario=serializer.instance, definition=_definition(serializer),
            by=self.request.user)

    def perform_destroy(self, instance):
        scenario_delete(scenario=instance, by=self.request.user)


def _definition(serializer: ScenarioSerializer) -> object:
    # Text goes through the page's safe YAML reader, so a script may send what a person types.
    definition = serializer.validated_data["definition"]
    return scenario_parse_text(definition) if isinstance(definition, str) else definition


router = SimpleRouter(trailing_slash=True)
router.register("scenarios", ScenarioViewSet, basename="scenario")

urlpatterns = [
    path("assessments/<uuid:pk>/scores/", AssessmentScoresView.as_view(),
         name="assessment-scores"),
    path("assessments/<uuid:pk>/scoring-jobs/", AssessmentScoringJobsView.as_view(),
         name="assessment-scoring-jobs"),
    path("templates/<uuid:pk>/rescore/", TemplateRescoreView.as_view(), name="template-rescore"),
    *router.urls,
]
