"""API: the vendor side. Whoever holds an invitation answers its one assessment.

Authentication is `Authorization: Invite <token>` (scripts) or the portal's session; either
yields the Invitation as `request.auth`, and every view reaches only
`request.auth.assessment`. There is no id in these URLs to swap for someone else's.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from questionnaires.assessments.models import Invitation
from questionnaires.assessments.portal.forms import contains_nul
from questionnaires.assessments.selectors.portal_state import questionnaire_state
from questionnaires.assessments.services.access import (
    HoldsInvitation,
    InviteAuthentication,
    PortalSessionAuthentication,
)
from questionnaires.assessments.services.evidence import evidence_upload
from questionnaires.assessments.services.lifecycle import (
    answer_save,
    assessment_submit,
    colleague_invite,
)
from questionnaires.core.api.errors import error_response
from questionnaires.core.api.parsers import JSONParser
from questionnaires.core.names import MAX_PERSON_NAME, validate_person_name
from questionnaires.uploads.parsers import EvidenceMultiPartParser

AUTH_ERRORS = {401: error_response("no invitation, or a link that is not valid"),
               403: error_response("portal session without its CSRF token"),
               429: error_response("too many invalid links from this address")}


class RespondView(APIView):
    authentication_classes = [InviteAuthentication, PortalSessionAuthentication]
    permission_classes = [HoldsInvitation]

    @property
    def invitation(self) -> Invitation:
        return self.request.auth

    @property
    def assessment(self):
        return self.request.auth.assessment


# --- The questionnaire ----------------------------------------------------------------------
class RespondOptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class RespondQuestionOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    help = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    show_if = serializers.CharField(allow_null=True)
    evidence = serializers.ChoiceField(choices=["none", "optional", "required"])
    editable = serializers.BooleanField()
    options = RespondOptionSerializer(many=True, required=False)
    allow_na = serializers.BooleanField(required=False)
    min = serializers.FloatField(required=False, allow_null=True)
    max = serializers.FloatField(required=False, allow_null=True)


class RespondSectionOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    questions = RespondQuestionOutSerializer(many=True, help_text="the questions visible now")


class RespondAnswerOutSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True)
    comment = serializers.CharField()
    version = serializers.IntegerField()
    visible = serializers.BooleanField()
    answered_by = serializers.CharField()
    updated_at = serializers.DateTimeField()


class RespondQuestionnaireSerializer(serializers.Serializer):
    assessment = inline_serializer("RespondAssessment", {
        "id": serializers.UUIDField(), "status": serializers.CharField(),
        "buyer": serializers.CharField(), "vendor": serializers.CharField(),
        "questionnaire": serializers.CharField(), "due_date": serializers.DateField(),
        "round": serializers.IntegerField(),
        "open": serializers.BooleanField(help_text="answers can still change"),
    })
    progress = serializers.FloatField(help_text="answered visible required questions / all "
                                                "visible required questions")
    missing_required = serializers.ListField(child=serializers.CharField())
    sections = RespondSectionOutSerializer(many=True)
    answers = serializers.DictField(child=RespondAnswerOutSerializer(),
                                    help_text="by question key; hidden answers are kept")


def questionnaire_payload(assessment) -> dict:
    state = questionnaire_state(assessment)
    return {
        "assessment": {"id": str(assessment.pk), "status": assessment.status,
                       "buyer": assessment.organization.name, "vendor": assessment.vendor.name,
                       "questionnaire": assessment.template.name,
                       "due_date": assessment.due_date.isoformat(), "round": assessment.round,
                       "open": state.open},
        "progress": state.progress,
        "missing_required": [q.key for q in state.missing],
        "sections": [{"key": s.key, "title": s.section.title,
                      "description": s.section.description,
                      "questions": [q.for_api() for q in s.questions if q.visible]}
                     for s in state.visible_sections],
        "answers": {q.key: {"value": q.answer.value, "comment": q.answer.comment,
                            "version": q.answer.version, "visible": q.visible,
                            "answered_by": q.answer.answered_by,
                            "updated_at": q.answer.updated_at.isoformat()}
                    for q in state.by_key.values() if q.answer is not None},
    }


class QuestionnaireView(RespondView):
    @extend_schema(responses={200: RespondQuestionnaireSerializer, **AUTH_ERRORS}, tags=["respond"])
    def get(self, request):
        """The questionnaire: sections, the questions visible now, the answers so far."""
        return Response(questionnaire_payload(self.assessment))


# --- One answer -----------------------------------------------------------------------------
class RespondAnswerInSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True, help_text="by question kind; see API.md")
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                    trim_whitespace=False)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                       help_text="the version you last saw; 0 or null for a "
                                                 "first answer")

    def validate_value(self, value):
        if contains_nul(value):
            raise serializers.ValidationError("text must not contain NUL characters")
        return value


class RespondSavedSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    version = serializers.IntegerField()
    progress = serializers.FloatField()
    shown = serializers.ListField(child=serializers.CharField(),
                                  help_text="question keys that became visible with this answer")
    hidden = serializers.ListField(child=serializers.CharField(),
                                   help_text="question keys that became hidden with this answer "
                                             "(their answers are kept but count nowhere)")


class AnswerView(RespondView):
    @extend_schema(request=RespondAnswerInSerializer, tags=["respond"], responses={
        200: RespondSavedSerializer, 400: error_response("invalid value (field `value`)"),
        409: error_response("stale `version`, or the questionnaire can no longer change"),
        **AUTH_ERRORS})
    def put(self, request, question_key: str):
        """Save one answer if `version` is the one you last saw."""
        serializer = RespondAnswerInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = answer_save(assessment=self.assessment, question_key=question_key,
                             value=data.get("value"), comment=data.get("comment"),
                             version=data.get("version"), by=self.invitation.email)
        return Response({"key": question_key, "value": result.answer.value,
                         "version": result.answer.version, "progress": result.progress,
                         "shown": result.shown, "hidden": result.hidden})


# --- Evidence, submission, colleagues --------------------------------------------------------
class RespondEvidenceInSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    question = serializers.CharField(max_length=100)


class RespondEvidenceOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    question = serializers.CharField()
    content_type = serializers.CharField()


class EvidenceView(RespondView):
    # The file name as sent, and a body that stops at the size limit (see uploads/parsers.py).
    parser_classes = [EvidenceMultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": RespondEvidenceInSerializer}, tags=["respond"],
                   responses={201: RespondEvidenceOutSerializer,
                              400: error_response("refused type, with the reason"),
                              409: error_response("the questionnaire can no longer change"),
                              413: error_response("over the size limit, the file or the whole upload"), **AUTH_ERRORS})
    def post(self, request):
        """Upload one file for a question. For a `file` question, then PUT its id as (part of)
        the answer's value."""
        serializer = RespondEvidenceInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence = evidence_upload(assessment=self.assessment, question_key=data["question"],
                                   upload=data["file"], name=data["file"].client_name,
                                   by=self.invitation.email).evidence
        return Response({"id": str(evidence.pk), "name": evidence.name, "size": evidence.size,
                         "sha256": evidence.sha256, "question": data["question"],
                         "content_type": evidence.content_type}, status=status.HTTP_201_CREATED)


class SubmitView(RespondView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=None, tags=["respond"], responses={
        200: inline_serializer("Submitted", {"status": serializers.CharField(),
                                             "answers_digest": serializers.CharField()}),
        400: error_response("each required visible question still unanswered, by key"),
        409: error_response("already submitted, or closed"), **AUTH_ERRORS})
    def post(self, request):
        """Submit the answers; scoring starts in a worker."""
        assessment = assessment_submit(assessment=self.assessment, by=self.invitation.email)
        return Response({"status": assessment.status, "answers_digest": assessment.answers_digest})


class RespondColleagueInSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=MAX_PERSON_NAME, required=False, allow_blank=True,
                                 default="", validators=[validate_person_name],
                                 help_text="One line; shown to the buyer, never in the email.")


class ColleagueView(RespondView):
    @extend_schema(request=RespondColleagueInSerializer, tags=["respond"], responses={
        201: inline_serializer("ColleagueInvited", {"id": serializers.UUIDField(),
                                                    "email": serializers.EmailField(),
                                                    "name": serializers.CharField()}),
        400: error_response("invalid email or name, or too many colleagues"),
        429: error_response("this link invited COLLEAGUE_INVITES_PER_DAY colleagues in the "
                            "last 24 hours"),
        409: error_response("already invited, or the questionnaire is closed"), **AUTH_ERRORS})
    def post(self, request):
        """Invite a colleague to help answer: they get their own link by email (never in this
        response)."""
        serializer = RespondColleagueInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invited = colleague_invite(invitation=self.invitation, **serializer.validated_data)
        return Response({"id": str(invited.pk), "email": invited.email, "name": invited.name},
                        status=status.HTTP_201_CREATED)



urlpatterns = [
    path("respond/", QuestionnaireView.as_view(), name="respond"),
    path("respond/answers/<str:question_key>/", AnswerView.as_view(), name="respond-answer"),
    path("respond/evidence/", EvidenceView.as_view(), name="respond-evidence"),
    path("respond/submit/", SubmitView.as_view(), name="respond-submit"),
    path("respond/colleagues/", ColleagueView.as_view(), name="respond-colleagues"),
]
