"""Refusals that apply to every request before any view runs.

A NUL character in a query parameter (`?search=a%00b`), in the path or in a header reaches
PostgreSQL as a text parameter, which it refuses with an error: a 500 wherever such a value
is used in a filter or a lookup. One check here answers 400 for all of them, naming the
parameter, instead of one check per view. (Bodies are checked by their parsers: Django's and
DRF's text fields refuse NUL, and core.api.parsers refuses it anywhere in a JSON body.)
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

NUL = "\x00"


def _nul_in(request) -> tuple[str | None, str] | None:
    """(field, message) for the first NUL found, or None."""
    if NUL in request.path:
        return None, "the path may not contain a NUL character"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "\\u0000"), "may not contain a NUL character"
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            header = key[5:].replace("_", "-").title()
            return None, f"the {header} header may not contain a NUL character"
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _nul_in(request)
        if found is None:
            return self.get_response(request)
        field, message = found
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"field": field, "message": message}]},
                                status=400)
        return HttpResponseBadRequest(f"{field}: {message}" if field else message,
                                      content_type="text/plain; charset=utf-8")
