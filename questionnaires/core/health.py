"""/healthz: the database and the broker, checked for real, answered within seconds."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any driver error means "down"; the reason is reported
        return f"unreachable: {type(exc).__name__}"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2,
                                      socket_timeout=2)
        client.ping()
        return "ok"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"


@never_cache
@require_GET
def healthz(request):
    body = {"database": _database(), "broker": _broker()}
    healthy = body["database"] == "ok" and body["broker"] in ("ok", "eager")
    return JsonResponse(body, status=200 if healthy else 503)
