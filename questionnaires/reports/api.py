"""API: PDF reports (request, status, download, verify).

Every lookup goes through the caller's organisation, so another tenant's report or
assessment is a 404. Who may do what:

* request a report, read its status, download it, verify a copy: any member of the buyer
  organisation, compliance included. A report changes no assessment data, and the signed-off
  PDF is the compliance officer's own deliverable, so the usual "compliance only reads" rule
  is widened here on purpose.
* a vendor holding an invitation: nothing. The report is the buyer's internal document.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.urls import path
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from questionnaires.assessments.models import Assessment
from questionnaires.core.api.errors import ErrorListSerializer
from questionnaires.core.api.tenancy import OrganizationScopedMixin
from questionnaires.core.tenancy import membership_of
from questionnaires.reports.models import Report
from questionnaires.reports.services import (
    report_download,
    report_request,
    report_verify,
    verify_too_large,
)
from questionnaires.uploads.parsers import LimitedMultiPartParser


class IsAnyMember(BasePermission):
    """Any role of a buyer organisation, for reads and writes alike (see the module note)."""

    message = "Only members of the buyer organisation may use its reports."

    def has_permission(self, request, view) -> bool:
        return membership_of(request) is not None


ERRORS = ErrorListSerializer
COMMON_ERRORS = {401: OpenApiResponse(ERRORS, description="not authenticated"),
                 403: OpenApiResponse(ERRORS, description="not a member of a buyer organisation"),
                 404: OpenApiResponse(ERRORS, description="no such report, or not yours")}


class ReportSerializer(serializers.ModelSerializer):
    assessment = serializers.UUIDField(source="assessment_id", read_only=True)
    score_run = serializers.UUIDField(source="score_run_id", read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = ["id", "assessment", "score_run", "status", "sha256", "pages", "error",
                  "created_at", "finished_at"]
        read_only_fields = fields


class AssessmentReportsView(OrganizationScopedMixin, generics.GenericAPIView):
    """`POST`: a new report of the assessment's current score, rendered by a worker (202).
    `GET`: the assessment's reports, newest first."""

    queryset = Assessment.objects.all()
    permission_classes = [IsAnyMember]
    serializer_class = ReportSerializer

    @extend_schema(request=None, tags=["reports"], responses={
        202: inline_serializer("ReportQueued", {"id": serializers.UUIDField(),
                                                "status": serializers.CharField()}),
        409: OpenApiResponse(ERRORS, description="the assessment has not been scored"),
        **COMMON_ERRORS})
    def post(self, request, pk):
        report = report_request(assessment=self.get_object(), by=request.user)
        return Response({"id": str(report.pk), "status": report.status},
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["reports"], responses={200: ReportSerializer(many=True), **COMMON_ERRORS})
    def get(self, request, pk):
        reports = Report.objects.filter(organization=self.organization,
                                        assessment=self.get_object()).order_by("-created_at")
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)


class ReportDetailView(OrganizationScopedMixin, generics.RetrieveAPIView):
    """Status of one report: `pending`, `ready` (with `sha256` and `pages`) or `failed`
    (with the reason in `error`)."""

    queryset = Report.objects.all()
    permission_classes = [IsAnyMember]
    serializer_class = ReportSerializer

    @extend_schema(tags=["reports"], responses={200: ReportSerializer, **COMMON_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FirstRenderer(BaseContentNegotiation):
    """The PDF is a file response, never rendered by DRF; errors always go out as JSON.
    Without this, `Accept: application/pdf` would be refused with 406 before the view ran."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReportPdfView(OrganizationScopedMixin, generics.GenericAPIView):
    """The PDF itself, as an attachment. Each download is recorded in the audit trail."""

    queryset = Report.objects.select_related("assessment__vendor")
    permission_classes = [IsAnyMember]
    content_negotiation_class = FirstRenderer

    @extend_schema(tags=["reports"], responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
        409: OpenApiResponse(ERRORS, description="the report is pending or failed"),
        **COMMON_ERRORS})
    def get(self, request, pk):
        download = report_download(report=self.get_object(), by=request.user)
        response = FileResponse(download.stream, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=download.filename)
        response["Content-Length"] = str(download.size)
        response["Cache-Control"] = "private, no-store"
        return response


class VerifySerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class VerifyMultiPartParser(LimitedMultiPartParser):
    """Stops a file to verify at REPORT_VERIFY_MAX_BYTES, before its body is read in full."""

    def limit(self) -> int:
        return settings.REPORT_VERIFY_MAX_BYTES

    def refuse(self, size, *, what="the file", more_than=False):
        return verify_too_large(size, what=what, more_than=more_than)


class ReportVerifyView(OrganizationScopedMixin, APIView):
    """Is this file a report issued to the caller's organisation, unchanged?"""

    permission_classes = [IsAnyMember]
    parser_classes = [VerifyMultiPartParser]

    @extend_schema(request={"multipart/form-data": VerifySerializer}, tags=["reports"], responses={
        200: inline_serializer("Verification", {
            "valid": serializers.BooleanField(),
            "report": serializers.UUIDField(allow_null=True),
            "sha256": serializers.CharField(),
            "reason": serializers.CharField()}),
        400: OpenApiResponse(ERRORS, description="no file"),
        413: OpenApiResponse(ERRORS, description="the file is too large"),
        401: COMMON_ERRORS[401], 403: COMMON_ERRORS[403]})
    def post(self, request):
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        result = report_verify(stream=upload.open("rb"), size=upload.size,
                               organization=self.organization, by=request.user)
        return Response({"valid": result.valid,
                         "report": str(result.report.pk) if result.report else None,
                         "sha256": result.sha256, "reason": result.reason})


urlpatterns = [
    path("assessments/<uuid:pk>/reports/", AssessmentReportsView.as_view(),
         name="assessment-reports"),
    path("reports/verify/", ReportVerifyView.as_view(), name="report-verify"),
    path("reports/<uuid:pk>/", ReportDetailView.as_view(), name="report-detail"),
    path("reports/<uuid:pk>/pdf/", ReportPdfView.as_view(), name="report-pdf"),
]
