"""The floor for bench/load.py: the product's settings, but a URLconf with one bare DRF write.

Served by its own gunicorn (`gunicorn -c python:diligence.gunicorn load_floor:application`,
with bench/ on the Python path) against the load test's throwaway database, so the product's
URLs never contain it. `PUT /floor/<answer id>/ {"value": ...}` is one UPDATE in autocommit:
no authentication, no permission check, no locking, no revision, no audit event - what a
write through Django, DRF and gunicorn costs with nothing of ours in it.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diligence.settings")

from django.conf import settings  # noqa: E402

# Before setup: the whole process serves this module's urlpatterns instead of the product's.
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.db.models import F  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.parsers import JSONParser  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from questionnaires.assessments.models import Answer  # noqa: E402
from questionnaires.core.health import healthz  # noqa: E402


class FloorWrite(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def put(self, request, pk):
        updated = Answer.objects.filter(pk=pk).update(value=request.data.get("value"),
                                                      version=F("version") + 1)
        return Response({"updated": updated}, status=200 if updated else 404)


urlpatterns = [
    path("healthz", healthz),
    path("floor/<uuid:pk>/", FloorWrite.as_view()),
]
