"""Input that used to reach a 500, each answered with a 4xx over HTTP: JSON nested
thousands deep, an unpaired surrogate echoed by an error, a NUL character in a query
parameter or a JSON string, a page number past the end."""

from __future__ import annotations

import json

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from questionnaires.core.api.errors import exception_handler
from questionnaires.core.api.parsers import MAX_JSON_DEPTH
from questionnaires.ownership.models import Vendor

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def errors_of(response) -> list[dict]:
    # The body must be valid UTF-8 JSON: decoding it is part of the check.
    return json.loads(response.content.decode("utf-8"))["errors"]


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/vendors/",
                                  "/api/v1/respond/colleagues/"])
def test_json_nested_5000_deep_is_a_400_on_authenticated_and_anonymous_endpoints(
        api, anonymous_api, path):
    client = anonymous_api if "auth" in path or "respond" in path else api
    body = '{"name": ' + nested(5000) + "}"
    response = client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400 if "respond" not in path else response.status_code in (
        400, 401)
    if response.status_code == 400:
        assert "nested more than 64 levels" in errors_of(response)[0]["message"]


def test_json_nesting_up_to_the_limit_is_parsed_and_validated_as_usual(api):
    body = '{"name": "Deep Labs", "services": ' + nested(MAX_JSON_DEPTH - 1) + "}"
    response = api.generic("POST", "/api/v1/vendors/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" not in json.dumps(errors_of(response))
    assert {e["field"] for e in errors_of(response)} <= {"services", "services[0]"}


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    body = json.dumps({"name": "[" * 150 + " Labs", "criticality": "low"})
    response = api.generic("POST", "/api/v1/vendors/", body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_lone_surrogate_in_a_choice_field_is_a_400_in_valid_utf8(api):
    body = '{"name": "Surrogate Labs", "criticality": "\\ud800"}'
    response = api.generic("POST", "/api/v1/vendors/", body, content_type="application/json")
    assert response.status_code == 400
    (error,) = errors_of(response)
    assert error["field"] == "criticality" and "surrogate" in error["message"]
    assert not Vendor.objects.filter(name="Surrogate Labs").exists()


def test_error_messages_escape_the_surrogates_and_control_characters_they_echo():
    """Whatever reaches the handler: what it echoes leaves as \\uXXXX, and renders."""
    response = exception_handler(ValidationError(
        {"criticality": ['"\ud800\x1b[2J" is not a valid choice.']}), {})
    body = JSONRenderer().render(response.data).decode("utf-8")
    assert json.loads(body)["errors"] == [
        {"field": "criticality", "message": '"\\ud800\\u001b[2J" is not a valid choice.'}]


def test_a_nul_in_a_json_string_is_a_400_naming_where(api):
    body = '{"name": "Nul Labs", "services": ["ok", "a\\u0000b"]}'
    response = api.generic("POST", "/api/v1/vendors/", body, content_type="application/json")
    assert response.status_code == 400
    (error,) = errors_of(response)
    assert error["field"] == "services[1]" and "NUL" in error["message"]


@pytest.mark.parametrize("query", ["search=a%00b", "search%00=x", "page=1%00"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(api, query):
    response = api.get(f"/api/v1/entities/?{query}")
    assert response.status_code == 400
    (error,) = errors_of(response)
    assert "NUL" in error["message"] and error["field"] in ("search", "search\\u0000", "page")


def test_a_nul_in_a_page_query_is_a_400_too(client, buyer):
    client.force_login(buyer.user)
    response = client.get("/vendors/?q=a%00b")
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["2", "999", "99999999999999999999999999", "1e999", "-1",
                                  "0", "1.5"])
def test_a_page_past_the_end_or_not_a_page_is_a_404(api, vendor, page):
    response = api.get(f"/api/v1/vendors/?page={page}")
    assert response.status_code == 404
    assert errors_of(response)[0]["field"] is None


def _api_views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            view = getattr(pattern.callback, "cls", None)
            if view is not None:
                yield prefix + str(pattern.pattern), view


def test_every_api_view_parses_json_with_the_bounded_parser():
    """A view that names DRF's own JSONParser (ObtainAuthToken did) escapes the bounds."""
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser as PlainJSONParser

    from questionnaires.core.api.parsers import JSONParser

    unbounded = [route for route, view in _api_views(get_resolver().url_patterns)
                 if PlainJSONParser in getattr(view, "parser_classes", ())
                 and JSONParser not in view.parser_classes]
    assert unbounded == []
