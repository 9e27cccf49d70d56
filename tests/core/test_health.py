"""/healthz checks the database and the broker for real."""

import time

import pytest
from django.test import override_settings

from tests.support.workers import services_missing


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == ("eager" if "Redis" in services_missing() else "ok")


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_within_5_seconds_when_redis_is_unreachable(client):
    # Port 1 on loopback refuses connections: the same as Redis being down.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"].startswith("unreachable")
    assert response.json()["database"] == "ok"
    assert elapsed < 5


@pytest.mark.services
@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_within_5_seconds_when_redis_is_paused(
        client, private_redis):
    """Paused (SIGSTOP), Redis still completes the connection and then answers nothing:
    only a read timeout ends the check."""
    private_redis.pause()
    with override_settings(REDIS_URL=private_redis.url):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable: TimeoutError"}
    assert elapsed < 5


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable: OperationalError"


def test_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/vendors/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()
