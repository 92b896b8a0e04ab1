"""The 1.0 draft of the W3C Reconciliation API, under `/reconcile/v1` (the 0.2 protocol, which
OpenRefine speaks, stays at `/reconcile`): the same index, properties and extension, in the
draft's shapes —

- `GET /reconcile/v1`: the manifest (`versions: ["1.0-draft"]`, features as booleans);
- `POST /reconcile/v1/match` (JSON `{"queries": [{"type", "limit", "conditions": [{"matchType":
  "name"|"property", "propertyId", "propertyValue"}]}]}`) → `{"results": [{"candidates": […]}]}`;
- `POST /reconcile/v1/extend` (JSON `{"ids", "properties"}`) → `{"meta", "rows": [{"id",
  "properties": [{"id", "values"}]}]}`; `GET /reconcile/v1/extend/propose?type=`;
- `/reconcile/v1/preview?id=` and `/reconcile/v1/suggest/{entity,type,property}` as in 0.2.
"""

from __future__ import annotations

import json

from flask import request

from ..context import hosts, store
from .budget import Budget, OverBudget
from .reconcile import (MAX_QUERIES, BadRequest, extension, live_index, parse_json,
    proposed_properties, respond, run_query, ti_namespace)
from .types import TYPES, class_iri

VERSION = "1.0-draft"


def manifest() -> dict:
    root, ti = hosts().root, ti_namespace()
    return {
        "versions": [VERSION],
        "name": "Territoires d'industrie — territoires, EPCI, communes, départements, régions",
        "lang": "fr",
        "identifierSpace": store().base + "id/",
        "schemaSpace": ti,
        "documentation": f"{root}#reconciliation",
        "defaultTypes": [{"id": class_iri(t, ti), "name": t.name} for t in TYPES
                         if t.key != "organisation"],
        "view": {"url": f"{root}doc/{{id}}"},
        "preview": {"width": 400, "height": 160},
        "suggest": {"entity": True, "type": True, "property": True},
        "extend": {"proposeProperties": True, "propertySettings": []},
        "standardizedScore": True,
    }


def service():
    return respond(manifest())


def _body() -> dict:
    if not request.is_json:
        raise BadRequest("send the batch as an application/json body (Reconciliation API 1.0)",
                         415)
    body = parse_json(request.get_data(as_text=True), "body")
    if not isinstance(body, dict):
        raise BadRequest("the body is a JSON object")
    return body


def match():
    queries = _body().get("queries")
    if not isinstance(queries, list):
        raise BadRequest('queries: a list [{"conditions": [{"matchType": "name", …}]}]')
    if len(queries) > MAX_QUERIES:
        raise BadRequest(f"queries: {len(queries)} queries in one batch; at most {MAX_QUERIES}",
                         413)
    index, budget = live_index(), Budget()
    try:
        results = [{"candidates": run_query(index, _as_v02(q, f"queries[{i}]"),
                                            f"queries[{i}]", budget)}
                   for i, q in enumerate(queries)]
    except OverBudget as over:
        raise BadRequest(str(over), 422) from None
    return respond({"results": results})


def _as_v02(query, name: str) -> dict:
    """A 1.0 query (conditions) as the 0.2 query the matcher reads (a name, properties)."""
    if not isinstance(query, dict) or not isinstance(query.get("conditions"), list):
        raise BadRequest(f'{name}: an object with "conditions"')
    names, properties = [], []
    for condition in query["conditions"]:
        if not isinstance(condition, dict):
            raise BadRequest(f"{name}.conditions: a list of objects")
        kind, value = condition.get("matchType"), condition.get("propertyValue")
        if kind == "name":
            names.append(value if isinstance(value, str) else json.dumps(value))
        elif kind == "property":
            properties.append({"pid": condition.get("propertyId"), "v": value})
        else:
            raise BadRequest(f"{name}.conditions: matchType 'name' or 'property', not "
                             f"{str(kind)[:40]!r}")
    converted = {"query": " ".join(names), "properties": properties}
    for key in ("type", "limit"):
        if key in query:
            converted[key] = query[key]
    return converted


def extend_values():
    answer = extension(_body())
    rows = [{"id": entity, "properties": [{"id": pid, "values": values}
                                          for pid, values in columns.items()]}
            for entity, columns in answer["rows"].items()]
    return respond({"meta": answer["meta"], "rows": rows})


def propose():
    if not request.args.get("type"):
        raise BadRequest("type: required (a type id, e.g. " + class_iri(TYPES[1], ti_namespace())
                         + ")")
    return proposed_properties()

