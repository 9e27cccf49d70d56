"""Recording stakes and competitors and reading verdicts through the public API, as a
buyer's script would."""

from __future__ import annotations


def add_stake(client, vendor_or_entity, *, entity: bool = False, expect: int = 201,
              **body) -> dict:
    """POST a stake in a vendor (or, with entity=True, an entity id); returns the body."""
    kind = "entities" if entity else "vendors"
    subject = getattr(vendor_or_entity, "pk", vendor_or_entity)
    response = client.post(f"/api/v1/{kind}/{subject}/stakes/", body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def neutrality(client, vendor, on: str | None = None) -> dict:
    query = f"?on={on}" if on else ""
    response = client.get(f"/api/v1/vendors/{vendor.pk}/neutrality/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def finding_for(body: dict, competitor: str) -> dict | None:
    found = [f for f in body["findings"]
             if f["competitor"] == competitor and f["severity"] != "discrepancy"]
    assert len(found) <= 1, found
    return found[0] if found else None


def declare(client, name: str, *aliases: str) -> dict:
    response = client.post("/api/v1/competitors/", {"name": name, "aliases": list(aliases)},
                           format="json")
    assert response.status_code == 201, response.json()
    return response.json()
