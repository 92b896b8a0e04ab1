"""`/reconcile`: the W3C Entity Reconciliation API in the version OpenRefine speaks (0.1 / 0.2).

- `GET /reconcile` without queries: the service manifest (identifierSpace = `BASE_URI id/`, so an
  entity id such as `epci/242500361` is the IRI `BASE_URI id/epci/242500361`; schemaSpace = the
  ontology namespace; the types are our class IRIs);
- `GET|POST /reconcile` with `queries` (a JSON object `{"q0": {"query", "type", "limit",
  "properties": [{"pid", "v"}]}}`, form-encoded or in the query string) → `{"q0": {"result":
  [{"id", "name", "type", "score", "match", "description"}]}}`; `query` (one query, 0.1) →
  `{"result": […]}`;
- `GET|POST /reconcile` with `extend` (`{"ids": […], "properties": [{"id"}]}`, as OpenRefine
  sends it, form-encoded) → the values of those properties (extend.py); `/reconcile/properties?
  type=` proposes the properties of a type;
- `/reconcile/preview?id=`, `/reconcile/flyout/entity?id=` (HTML card), `/reconcile/suggest/entity|type|property?prefix=`;
- the 1.0 draft of the protocol under `/reconcile/v1` (reconcile_v1.py);
- every JSON answer is JSONP when `callback` names a JavaScript function.

Names are matched with the in-memory index of index.py. Properties constrain the candidates:
`departement` (code, IRI or name), `siren`, `codeInsee`, `identifiantOfficiel`. Scores run from
0 to 100; `match` is true only for an unambiguous exact name-key match or a code match.
"""

from __future__ import annotations

import json
import re
import time

from flask import Response, jsonify, request

from ...vocabulary import formats
from ..context import hosts, store, vocabulary
from . import extend
from .budget import Budget, OverBudget
from .index import NameIndex, name_index
from .types import CASE_KEPT, TYPES, class_iri, type_mask


MAX_QUERIES = 100          # per batch; OpenRefine sends 10 by default
MAX_QUERY_CHARS = 500
MAX_PROPERTIES = 10        # per query
MAX_VALUES = 5             # per property: each département widens the candidates scored
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
# The types OpenRefine proposes first; the others (organisation, commune associée, municipal
# arrondissement, former entity) are matched when asked for.
DEFAULT_TYPES = ("territoire", "epci", "commune", "personne", "departement", "region",
                 "commune-deleguee")
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")

# Property id → what constrains: a code property, or the département.
PROPERTIES = {
    "departement": "département (code, IRI ou nom) / département (code, IRI or name)",
    "siren": "SIREN (EPCI, commune)",
    "codeInsee": "code Insee (commune, département, région) / INSEE code",
    "identifiantOfficiel": "identifiant officiel d'un territoire / official territory identifier",
    "identifiantQualifie": "identifiant ANCT qualifié par la phase (phase-1/ti-2704) / ANCT id "
                           "qualified by its phase",
}


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def ti_namespace() -> str:
    return str(vocabulary().ti)


def live_index() -> NameIndex:
    return name_index(store())


def _callback() -> str | None:
    callback = request.values.get("callback")
    if callback is None or callback == "":
        return None
    if len(callback) > 100 or not CALLBACK.match(callback):
        raise BadRequest("callback: a JavaScript identifier (letters, digits, _, $ and dots)")
    return callback


def respond(payload, status: int = 200) -> Response:
    try:
        callback = _callback()
    except BadRequest as error:
        payload, status, callback = {"status": 400, "error": str(error)}, 400, None
    if callback:
        body = f"/**/{callback}({json.dumps(payload, ensure_ascii=False)});"
        response = Response(body, status=200 if status < 300 else status,
                            mimetype=formats.JAVASCRIPT.media_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    response = jsonify(payload)
    response.status_code = status
    return response


def _error(message: str, status: int = 400) -> Response:
    return respond({"status": status, "error": message}, status)


def bad_request(error: BadRequest):
    return _error(str(error), error.status)


# --- the manifest -------------------------------------------------------------------------

def manifest() -> dict:
    root = hosts().root
    ti = ti_namespace()
    default = [t for t in TYPES if t.key in DEFAULT_TYPES]
    service = f"{root}reconcile"
    return {
        "versions": ["0.1", "0.2"],
        "name": "Territoires d'industrie — territoires, EPCI, communes, personnes",
        "identifierSpace": store().base + "id/",
        "schemaSpace": ti,
        "defaultTypes": [{"id": class_iri(t, ti), "name": t.name} for t in default],
        "view": {"url": f"{root}doc/{{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 400, "height": 160},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity",
                       "flyout_service_path": "/flyout/entity?id=${id}"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {"propose_properties": {"service_url": service,
                                          "service_path": "/properties"},
                   "property_settings": []},
    }


# --- queries ------------------------------------------------------------------------------

def text_param(value, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise BadRequest(f"{what}: a string")
    if len(value) > MAX_QUERY_CHARS:
        raise BadRequest(f"{what}: at most {MAX_QUERY_CHARS} characters")
    return value


def _values(v) -> list[str]:
    """A property value as OpenRefine sends it: a string, a number, an {id, name} object, or a
    list of those."""
    items = v if isinstance(v, list) else [v]
    if len(items) > MAX_VALUES:
        raise BadRequest(f"properties: at most {MAX_VALUES} values per property", 422)
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id") or item.get("name") or ""
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise BadRequest("properties: a value is a string, a number or an {id, name} object")
        if item.strip():
            out.append(item.strip()[:MAX_QUERY_CHARS])
    return out


def _pid(pid) -> str:
    if not isinstance(pid, str):
        raise BadRequest("properties: pid must be a string")
    ti = ti_namespace()
    short = pid[len(ti):] if pid.startswith(ti) else pid.removeprefix("ti:")
    if short not in PROPERTIES:
        raise BadRequest(f"unknown property {pid!r}; known: {', '.join(PROPERTIES)}")
    return short


class _Nowhere(Exception):
    """A constraint no entity can meet (a département that does not exist)."""


def run_query(index: NameIndex, q, name: str, budget: Budget | None = None) -> list[dict]:
    if isinstance(q, str):
        q = {"query": q}
    if not isinstance(q, dict):
        raise BadRequest(f"{name}: a query is an object {{\"query\": …}}")
    text = text_param(q.get("query"), f"{name}.query")
    try:
        mask = type_mask(q.get("type"), ti_namespace())
    except ValueError as error:
        raise BadRequest(f"{name}.type: {error}") from None
    limit = _limit(q.get("limit", DEFAULT_LIMIT), name)
    try:
        depts, codes = _constraints(index, q.get("properties") or [], name)
    except _Nowhere:
        return []      # no candidate can be there
    if not text.strip() and not codes:
        return []
    return _results(index, index.search(text, mask, depts, codes, limit, budget))


def _limit(limit, name: str) -> int:
    if isinstance(limit, str) and limit.isdigit() and len(limit) <= 6:
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise BadRequest(f"{name}.limit: a non-negative integer")
    return min(limit or DEFAULT_LIMIT, MAX_LIMIT)


def _constraints(index: NameIndex, properties, name: str) -> tuple[set[str] | None, dict[str, str]]:
    """The départements the candidates must be in (None: anywhere) and the codes they must
    have ({pid: code}), from the query's properties."""
    if not isinstance(properties, list):
        raise BadRequest(f"{name}.properties: a list of {{\"pid\", \"v\"}}")
    depts: set[str] | None = None
    codes: dict[str, str] = {}
    if len(properties) > MAX_PROPERTIES:
        raise BadRequest(f"{name}.properties: at most {MAX_PROPERTIES}", 422)
    for prop in properties:
        if not isinstance(prop, dict):
            raise BadRequest(f"{name}.properties: a list of {{\"pid\", \"v\"}}")
        pid = _pid(prop.get("pid", prop.get("p")))
        values = _values(prop.get("v"))
        if not values:
            continue
        if pid == "departement":
            found = {index.departement(v) for v in values}
            depts = (depts or set()) | {d for d in found if d}
            if not depts:
                raise _Nowhere()
        else:
            codes[pid] = values[0].strip() if pid in CASE_KEPT \
                else values[0].replace(" ", "").upper()
    return depts, codes


def _results(index: NameIndex, hits) -> list[dict]:
    """The candidates as the API lists them: `match` only for an unambiguous exact one."""
    exact = [h for h in hits if h.exact and h.score >= 100]
    ti = ti_namespace()
    results = []
    for hit in hits:
        n = hit.entity
        types = [TYPES[i] for i in index.type_indexes(n)]
        results.append({
            "id": index.ids[n],
            "name": index.names[n],
            "type": [{"id": class_iri(t, ti), "name": t.name} for t in types],
            "score": hit.score,
            "match": hit.exact and hit.score >= 100 and len(exact) == 1,
            "description": index.describe(n),
        })
    return results


def parse_json(text: str, what: str):
    """JSON as a client sent it; malformed or absurdly nested is a 400, never a 500."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        reason = "nested too deep" if isinstance(error, RecursionError) else str(error)[:200]
        raise BadRequest(f"{what}: invalid JSON ({reason})") from None


def _parse_queries(raw: str):
    queries = parse_json(raw, "queries")
    if not isinstance(queries, dict):
        raise BadRequest("queries: a JSON object {\"q0\": {\"query\": …}, …}")
    if len(queries) > MAX_QUERIES:
        raise BadRequest(f"queries: {len(queries)} queries in one batch; at most {MAX_QUERIES}", 413)
    return queries


def service():
    if request.values.get("extend") is not None:
        return respond(extension(parse_json(request.values["extend"], "extend")))
    queries = request.values.get("queries")
    single = request.values.get("query")
    if queries is None and request.is_json:
        body = parse_json(request.get_data(as_text=True), "body")
        if not isinstance(body, dict) or "queries" not in body:
            raise BadRequest("a JSON body must be {\"queries\": {\"q0\": {…}}}")
        queries = json.dumps(body["queries"])
    if queries is None and single is None:
        return respond(manifest())
    index, budget = live_index(), Budget()
    try:
        if queries is not None:
            started = time.perf_counter()
            batch = _parse_queries(queries)
            answer = {str(key): {"result": run_query(index, q, str(key), budget)}
                      for key, q in batch.items()}
            response = respond(answer)
            took = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"reconcile;dur={took:.1f}"
            return response
        q = parse_json(single, "query") if single.lstrip().startswith("{") else single
        return respond({"result": run_query(index, q, "query", budget)})
    except OverBudget as over:
        raise BadRequest(str(over), 422) from None


# --- data extension (0.2) -------------------------------------------------------------------

def extension(query) -> dict:
    """`{"meta": [columns], "rows": {id: {property: [values]}}}` for an extension query."""
    live = store()
    try:
        ids, props = extend.parse(query, live.base)
    except extend.BadExtension as error:
        raise BadRequest(str(error)) from None
    ti = ti_namespace()
    return {"meta": [extend.meta(p, ti) for p in props],
            "rows": extend.values(live, ids, props)}


def proposed_properties():
    """`/reconcile/properties?type=…&limit=…`: the properties a type can be extended with."""
    type_id = request.args.get("type", "")
    limit = _limit(request.args.get("limit", "0"), "limit") if request.args.get("limit") else None
    try:
        found = extend.propose(type_id, ti_namespace(), limit)
    except extend.BadExtension as error:
        raise BadRequest(str(error)) from None
    answer = {"properties": [{"id": p.id, "name": p.name, "description": p.description}
                             for p in found]}
    if type_id:
        answer["type"] = type_id
    return respond(answer)
