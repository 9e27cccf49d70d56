"""The OpenAPI document describes the ownership endpoints, including their error codes."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    return json.loads(response.content)


@pytest.mark.parametrize(("path", "method", "codes"), [
    ("/api/v1/vendors/{vendor_pk}/stakes/", "post", {"201", "400", "401", "403", "404", "409"}),
    ("/api/v1/vendors/{vendor_pk}/stakes/{stake_pk}/", "patch", {"200", "400", "403", "404"}),
    ("/api/v1/entities/{entity_pk}/stakes/", "post", {"201", "400", "403", "404"}),
    ("/api/v1/vendors/{vendor_pk}/neutrality/", "get", {"200", "400", "401", "404", "409"}),
    ("/api/v1/vendors/{vendor_pk}/neutrality/events/", "get", {"200", "404"}),
    ("/api/v1/competitors/", "post", {"201", "400", "403"}),
    ("/api/v1/competitors/{id}/", "delete", {"204", "403", "404"}),
    ("/api/v1/settings/neutrality/", "put", {"200", "400", "403"}),
    ("/api/v1/vendors/{id}/", "delete", {"204", "403", "404", "409"}),
])
def test_each_ownership_endpoint_documents_its_responses(schema, path, method, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_the_stake_input_documents_holder_and_parent_by_name(schema):
    fields = schema["components"]["schemas"]["StakeInputRequest"]["properties"]
    assert {"holder", "holder_parent", "holder_kind", "percent", "voting_percent",
            "board_seats", "observer_seats", "information_rights", "acquired_on",
            "disposed_on", "source"} <= set(fields)
    assert fields["holder_parent"]["nullable"] is True
