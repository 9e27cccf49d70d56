"""A drf-spectacular post-processing hook: what every operation may answer, said once."""

from __future__ import annotations

ERROR_LIST = {"$ref": "#/components/schemas/ErrorList"}
REFUSED_INPUT = ("Refused input, located by field where it has one: a NUL character in a "
                 "query parameter, or a JSON body nested too deep or holding a NUL or an "
                 "unpaired surrogate.")


def document_refused_input(result, generator, request, public):
    """Every operation that takes query parameters or a body may be refused with 400 before
    its view runs (core.request_checks, core.api.parsers); document it where a view's own
    schema does not already."""
    if "ErrorList" not in result.get("components", {}).get("schemas", {}):
        return result
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            takes_query = any(parameter.get("in") == "query"
                              for parameter in operation.get("parameters", []))
            if takes_query or "requestBody" in operation:
                operation["responses"].setdefault("400", {
                    "content": {"application/json": {"schema": ERROR_LIST}},
                    "description": REFUSED_INPUT})
    return result
