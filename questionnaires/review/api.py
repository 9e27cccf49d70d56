"""API: a reviewer's decision on an assessment.

`POST /api/v1/assessments/{id}/review/` approves, approves with conditions, rejects or
requests clarification on chosen questions. The serializer checks the shape; the rules
(a note is required, the questions exist, conditions have future dates, which status may
become which) are services.reviews', shared with the review page. Another organisation's
assessment is a 404; compliance gets 403 (IsMember: it reads, it changes nothing); a
decision the assessment's status does not allow is a 409.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from questionnaires.assessments.models import Assessment, RemediationItem, Review
from questionnaires.core.api.errors import error_response
from questionnaires.core.api.fields import DayField
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.review.services import MAX_CONDITIONS, NOTE_LIMIT, Condition, review_submit


class ReviewConditionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_LIMIT)
    due_date = DayField()


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    note = serializers.CharField(max_length=NOTE_LIMIT, allow_blank=True,
                                 help_text="Required for every decision.")
    questions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list,
        help_text="request_changes: the question keys to reopen for the vendor.")
    conditions = ReviewConditionInputSerializer(
        many=True, required=False, default=list, max_length=MAX_CONDITIONS,
        help_text="approve_with_conditions: what the vendor must do, each by its due date.")


class ReviewConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RemediationItem
        fields = ["id", "text", "due_date", "status", "vendor_response", "responded_at"]
        read_only_fields = fields


class ReviewedAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "status", "round", "reopened_keys", "decided_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username", read_only=True,
                                     allow_null=True)
    conditions = ReviewConditionSerializer(many=True, read_only=True)
    assessment = ReviewedAssessmentSerializer(read_only=True)

    class Meta:
        model = Review
        fields = ["id", "decision", "note", "questions", "conditions", "reviewer", "created_at",
                  "assessment"]
        read_only_fields = fields


_errors = error_response


class AssessmentReviewView(OrganizationScopedMixin, generics.GenericAPIView):
    queryset = Assessment.objects.select_related("organization", "vendor", "template")
    serializer_class = ReviewInputSerializer

    @extend_schema(request=ReviewInputSerializer, responses={
        201: ReviewSerializer,
        400: _errors("invalid input, located by field (note, questions[i], conditions[i].due_date)"),
        401: _errors("not authenticated"),
        403: _errors("your role may not decide (compliance reads only)"),
        404: _errors("no such assessment, or not yours"),
        409: _errors("the assessment's status does not allow this decision")})
    def post(self, request, pk):
        """Record a decision: 201 with the review, its conditions and the new status."""
        assessment = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = review_submit(
            assessment=assessment, by=request.user, decision=data["decision"],
            note=data["note"], questions=data["questions"],
            conditions=[Condition(c["text"], c["due_date"]) for c in data["conditions"]])
        review = (Review.objects.select_related("assessment", "reviewer")
                  .prefetch_related("conditions").get(pk=review.pk))
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("assessments/<uuid:pk>/review/", AssessmentReviewView.as_view(),
         name="assessment-review"),
]
