"""API: issuing assessments to vendors, their links, their answers, cancelling.

Every queryset is scoped to the caller's organisation (OrganizationScopedMixin), so another
tenant's assessment is a 404; compliance reads and gets 403 on every write (IsMember).
"""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from questionnaires.assessments.models import Answer, Assessment, Evidence
from questionnaires.assessments.services.lifecycle import (
    assessment_cancel,
    assessment_issue,
    invitation_reissue,
)
from questionnaires.authoring.models import Template
from questionnaires.authoring.services.templates import compiled_template
from questionnaires.core.api.errors import error_response
from questionnaires.core.api.fields import DayField
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.ownership.models import Vendor
from questionnaires.scoring.models import ScoreRun
from questionnaires.uploads.downloads import evidence_attachment

MAX_RESPONDENTS = 20
UUID_PATTERN = "[0-9a-fA-F-]{36}"




READ_ERRORS = {401: error_response("not authenticated"),
               404: error_response("not found, or not yours")}
WRITE_ERRORS = {**READ_ERRORS, 400: error_response("invalid input, located by field"),
                403: error_response("your role may not change this"),
                409: error_response("not allowed in the assessment's current status")}


# --- Output ---------------------------------------------------------------------------------
class ScoreSummarySerializer(serializers.Serializer):
    overall = serializers.FloatField()
    tier = serializers.CharField()


class AssessmentSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "vendor", "vendor_name", "template", "template_name", "template_version",
                  "status", "progress", "due_date", "sent_at", "submitted_at", "decided_at",
                  "round", "reopened_keys", "answers_digest", "score", "created_at",
                  "updated_at"]
        read_only_fields = fields

    @extend_schema_field(ScoreSummarySerializer(allow_null=True))
    def get_score(self, assessment: Assessment) -> dict | None:
        """The newest score run's overall and tier; null until the assessment is scored."""
        overall = getattr(assessment, "latest_overall", None)
        if overall is None:
            return None
        return {"overall": overall, "tier": assessment.latest_tier}


class IssuedLinkSerializer(serializers.Serializer):
    email = serializers.EmailField()
    invite_url = serializers.CharField()


class IssuedAssessmentSerializer(AssessmentSerializer):
    """The assessment as just issued, with its links: the only time they are ever shown."""

    invite_url = serializers.CharField(help_text="The first respondent's link; shown once.")
    invitations = IssuedLinkSerializer(many=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "invite_url", "invitations"]
        read_only_fields = fields


class EvidenceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "sha256", "content_type", "uploaded_by", "created_at"]


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.key")
    question_text = serializers.CharField(source="question.text")
    evidence = serializers.SerializerMethodField()
    visible = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["question", "question_text", "value", "comment", "evidence", "version",
                  "visible", "answered_by", "updated_at"]

    @extend_schema_field(EvidenceRefSerializer(many=True))
    def get_evidence(self, answer: Answer) -> list[dict]:
        files = answer.question.assessment_files
        if answer.question.kind == "file":
            chosen = {str(v) for v in answer.value or []}
            files = [f for f in files if str(f.pk) in chosen]
        return EvidenceRefSerializer(files, many=True).data

    @extend_schema_field(serializers.BooleanField(
        help_text="false: hidden by a condition; kept, but it counts nowhere"))
    def get_visible(self, answer: Answer) -> bool:
        return self.context["visibility"].get(answer.question.key, False)


# --- Input ----------------------------------------------------------------------------------
class RespondentSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IssueSerializer(serializers.Serializer):
    vendor = serializers.UUIDField()
    template = serializers.UUIDField()
    due_date = DayField()
    respondent_email = serializers.EmailField(max_length=254, required=False)
    respondent_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                            default="")
    respondents = RespondentSerializer(many=True, required=False)

    def validate_vendor(self, value) -> Vendor:
        vendor = Vendor.objects.filter(organization=self.context["organization"], pk=value).first()
        if vendor is None:
            raise serializers.ValidationError("no vendor with this id in your organisation")
        return vendor

    def validate_template(self, value) -> Template:
        organization = self.context["organization"]
        template = (Template.objects
                    .filter(Q(organization=organization) | Q(organization__isnull=True), pk=value)
                    .first())
        if template is None:
            raise serializers.ValidationError("no questionnaire with this id that your "
                                              "organisation can issue")
        return template

    def validate(self, data: dict) -> dict:
        respondents = [(r["email"], r.get("name", "")) for r in data.get("respondents", [])]
        if data.get("respondent_email"):
            respondents.insert(0, (data["respondent_email"], data.get("respondent_name", "")))
        unique: dict[str, tuple[str, str]] = {}
        for email, name in respondents:
            unique.setdefault(email.lower(), (email, name))
        if not unique:
            raise serializers.ValidationError(
                {"respondent_email": "name the person who should answer (respondent_email, or "
                                     "respondents: [{email, name}])"})
        if len(unique) > MAX_RESPONDENTS:
            raise serializers.ValidationError(
                {"respondents": f"at most {MAX_RESPONDENTS} respondents per assessment"})
        data["respondent_list"] = list(unique.values())
        return data


class ReissueSerializer(serializers.Serializer):
    respondent_email = serializers.EmailField(max_length=254, required=False)
    respondent_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                            default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AssessmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Assessment.Status.choices)
    vendor = filters.UUIDFilter(field_name="vendor_id")

    class Meta:
        model = Assessment
        fields = ["status", "vendor"]


# --- Views ----------------------------------------------------------------------------------
def with_latest_score(queryset):
    newest = ScoreRun.objects.filter(assessment=OuterRef("pk")).order_by("-created_at")
    return queryset.annotate(latest_overall=Subquery(newest.values("overall")[:1]),
                             latest_tier=Subquery(newest.values("tier")[:1]))


class AssessmentViewSet(OrganizationScopedMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Assessment.objects.select_related("vendor", "template")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return with_latest_score(super().get_queryset())

    @extend_schema(responses={200: AssessmentSerializer(many=True),
                              400: error_response("an unknown status or a malformed vendor id"),
                              **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: AssessmentSerializer, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=IssueSerializer,
                   responses={201: IssuedAssessmentSerializer, **WRITE_ERRORS})
    def create(self, request):
        """Issue a published questionnaire to a vendor; each respondent is emailed a link."""
        serializer = IssueSerializer(data=request.data, context={"organization": self.organization})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment, issued = assessment_issue(
            organization=self.organization, vendor=data["vendor"], template=data["template"],
            due_date=data["due_date"], respondents=data["respondent_list"], by=request.user)
        body = dict(AssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data)
        body["invite_url"] = issued[0].url
        body["invitations"] = [{"email": i.invitation.email, "invite_url": i.url} for i in issued]
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReissueSerializer,
                   responses={201: IssuedLinkSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def invitations(self, request, pk=None):
        """A new invite link, shown once; every older link of this assessment stops working."""
        serializer = ReissueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = invitation_reissue(assessment=self.get_object(), by=request.user,
                                    email=serializer.validated_data.get("respondent_email", ""),
                                    name=serializer.validated_data["respondent_name"])
        return Response({"email": issued.invitation.email, "invite_url": issued.url},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: links stop working at once; answers are kept. 409 once decided."""
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment_cancel(assessment=self.get_object(), by=request.user,
                          reason=serializer.validated_data["reason"])
        return Response(AssessmentSerializer(self.get_object()).data)

    @extend_schema(responses={200: AnswerSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], filterset_class=None)
    def answers(self, request, pk=None):
        """Every answer, hidden ones too (marked `visible: false`), with its evidence."""
        assessment = self.get_object()
        files = Evidence.objects.filter(assessment=assessment).order_by("created_at")
        answers = (Answer.objects.filter(assessment=assessment)
                   .select_related("question")
                   .prefetch_related(Prefetch("question__evidence_files", queryset=files,
                                              to_attr="assessment_files"))
                   .order_by("question__position"))
        values = dict(Answer.objects.filter(assessment=assessment)
                      .values_list("question__key", "value"))
        visibility = compiled_template(assessment.template).visibility(values)
        page = self.paginate_queryset(answers)
        serializer = AnswerSerializer(page, many=True, context={"visibility": visibility})
        return self.get_paginated_response(serializer.data)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY,
                              **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path=f"evidence/(?P<evidence_id>{UUID_PATTERN})",
            filterset_class=None)
    def evidence(self, request, pk=None, evidence_id=None):
        """One evidence file, as an attachment (for scripts; the pages use the portal view)."""
        evidence = Evidence.objects.filter(assessment=self.get_object(), pk=evidence_id).first()
        if evidence is None:
            raise Http404
        return evidence_attachment(evidence)


router = SimpleRouter(trailing_slash=True)
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
