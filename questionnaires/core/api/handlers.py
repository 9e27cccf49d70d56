"""Django-level error pages that speak the API's error shape under /api/.

A path that matches no route never reaches DRF (a malformed id, say), so Django answers it
itself; under /api/ that answer must still be `{"errors": [...]}` as the contract says."""

from django.http import JsonResponse
from django.views.defaults import page_not_found, server_error


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "message": "Not found."}]}, status=404)
    return page_not_found(request, exception)


def server_failed(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None,
                                         "message": "Internal error; the request was not completed."}]},
                            status=500)
    return server_error(request)
