"""One exception handler: every error leaves as {"errors": [{"field", "message"}]}."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from questionnaires.core.errors import DomainError


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorListSerializer(serializers.Serializer):
    """Every error response: `{"errors": [{"field", "message"}]}` (the schema's one shape)."""

    errors = ErrorSerializer(many=True)


def error_response(description: str) -> OpenApiResponse:
    """An error response for drf-spectacular's `responses=`, described for this endpoint."""
    return OpenApiResponse(ErrorListSerializer, description=description)


def flatten_errors(detail, path: str = "") -> list[dict]:
    """DRF's nested error detail -> located messages: `sections[2].questions[0].kind`."""
    if isinstance(detail, dict):
        out: list[dict] = []
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                out += flatten_errors(value, path)
            elif isinstance(key, int):  # ListField errors are keyed by index
                out += flatten_errors(value, f"{path}[{key}]")
            else:
                out += flatten_errors(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": path or None, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out += flatten_errors(item, f"{path}[{index}]")
        return out
    return [{"field": path or None, "message": str(detail)}]


# What an error may echo from the request but must not send back raw: control characters
# (a NUL, an escape sequence for a terminal) and unpaired UTF-16 surrogates, for which no
# UTF-8 exists, so the renderer raised and a 400 became a 500.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def escaped(text: str) -> str:
    """`text` with what it must not carry raw written as \\uXXXX."""
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _error_body(errors: list[dict], code: int, headers=None) -> Response:
    safe = [{**error, "field": None if error.get("field") is None else escaped(str(error["field"])),
             "message": escaped(str(error["message"]))} for error in errors]
    return Response({"errors": safe}, status=code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        errors = exc.details or [{"field": exc.field, "message": exc.message}]
        return _error_body(errors, exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
    else:
        errors = [{"field": None, "message": str(exc.detail)}]
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate")}
    if response.status_code == status.HTTP_403_FORBIDDEN and isinstance(
            exc, exceptions.NotAuthenticated):
        response.status_code = status.HTTP_401_UNAUTHORIZED
    return _error_body(errors, response.status_code, headers)
