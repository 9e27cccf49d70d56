"""Custom scenario text is read by the one safe YAML reader: an alias bomb of 902 bytes
(13.5 s and 1.7 GB of one web worker before) and text nested past the cap are refused at
once, with the reason, from the page and from the API alike."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from questionnaires.scoring.models import Scenario
from tests.support.scoring import custom_definition

pytestmark = pytest.mark.django_db
URL = "/api/v1/scenarios/"


def alias_bomb() -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("key: bomb")
    return "\n".join(lines) + "\n"


def deep(levels: int) -> str:
    return "key: deep\nchanges: " + "[" * levels + "]" * levels + "\n"


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def test_the_alias_bomb_is_under_a_kilobyte():
    assert len(alias_bomb().encode()) < 1024


def test_the_page_refuses_an_alias_bomb_at_once_naming_aliases(client, buyer):
    client.force_login(buyer.user)
    response, seconds = timed(lambda: client.post(reverse("workspace:scenarios-new"),
                                                  {"definition": alias_bomb()}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "the definition was refused at line 2: aliases (*a) are not supported" in html
    assert seconds < 2  # refused from parser events, nothing expanded (13.5 s before)
    assert not Scenario.objects.exists()


def test_the_page_refuses_text_nested_past_the_cap(client, buyer):
    client.force_login(buyer.user)
    response = client.post(reverse("workspace:scenarios-new"), {"definition": deep(40)})
    assert response.status_code == 400
    assert "nested more than 32 levels deep" in response.content.decode()


def test_the_api_reads_a_text_definition_like_the_page(api):
    import json

    response = api.post(URL, {"definition": json.dumps(custom_definition())}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["definition"] == custom_definition()


def test_the_api_refuses_an_alias_bomb_sent_as_text_at_once(api):
    response, seconds = timed(lambda: api.post(URL, {"definition": alias_bomb()},
                                               format="json"))
    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "field": "definition",
        "message": "the definition was refused at line 2: aliases (*a) are not supported; "
                   "write the value out in full"}]}
    assert seconds < 2
    assert not Scenario.objects.exists()


def test_the_api_refuses_a_json_definition_nested_past_the_cap(api):
    nested: object = []
    for _ in range(40):
        nested = [nested]
    response = api.post(URL, {"definition": {**custom_definition(), "changes": nested}},
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "definition", "message":
                                          "the definition is nested more than 32 levels deep"}]
