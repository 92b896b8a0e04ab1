"""`/reconcile`: the W3C Entity Reconciliation API in the version OpenRefine speaks (0.1 / 0.2).

- `GET /reconcile` without queries: the service manifest (identifierSpace = `BASE_URI id/`, so an
  entity id such as `epci/242500361` is the IRI `BASE_URI id/epci/242500361`; schemaSpace = the
  ontology namespace; the types are our class IRIs);
- `GET|POST /reconcile` with `queries` (a JSON object `{"q0": {"query", "type", "limit",
  "properties": [{"pid", "v"}]}}`, form-encoded or in the query string) → `{"q0": {"result":
  [{"id", "name", "type", "score", "match", "description"}]}}`; `query` (one query, 0.1) →
  `{"result": […]}`;
- `/reconcile/preview?id=`, `/reconcile/flyout/entity?id=` (HTML card), `/reconcile/suggest/entity|type|property?prefix=`;
- every JSON answer is JSONP when `callback` names a JavaScript function.

Names are matched with the in-memory index of index.py. Properties constrain the candidates:
`departement` (code, IRI or name), `siren`, `codeInsee`, `identifiantOfficiel`. Scores run from
0 to 100; `match` is true only for an unambiguous exact name-key match or a code match.
"""

from __future__ import annotations

import json
import re
import time

from flask import Blueprint, Response, jsonify, request
from markupsafe import escape

from ... import formats
from ...names import fold
from ..context import hosts, store, vocabulary
from .budget import Budget, OverBudget
from .index import NameIndex, name_index
from .types import CODES, TYPES, class_iri, type_mask

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

MAX_QUERIES = 100          # per batch; OpenRefine sends 10 by default
MAX_QUERY_CHARS = 500
MAX_PROPERTIES = 10        # per query
MAX_VALUES = 5             # per property: each département widens the candidates scored
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")

# Property id → what constrains: a code property, or the département.
PROPERTIES = {
    "departement": "département (code, IRI ou nom) / département (code, IRI or name)",
    "siren": "SIREN (EPCI, commune)",
    "codeInsee": "code Insee (commune, département, région) / INSEE code",
    "identifiantOfficiel": "identifiant officiel d'un territoire / official territory identifier",
}


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _ti() -> str:
    return str(vocabulary().ti)


def _index() -> NameIndex:
    return name_index(store())


def _callback() -> str | None:
    callback = request.values.get("callback")
    if callback is None or callback == "":
        return None
    if len(callback) > 100 or not CALLBACK.match(callback):
        raise BadRequest("callback: a JavaScript identifier (letters, digits, _, $ and dots)")
    return callback


def _send(payload, status: int = 200) -> Response:
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
    return _send({"status": status, "error": message}, status)


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return _error(str(error), error.status)


# --- the manifest -------------------------------------------------------------------------

def manifest() -> dict:
    root = hosts().root
    ti = _ti()
    default = [t for t in TYPES if t.key in ("territoire", "epci", "commune", "personne")]
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
    }


# --- queries ------------------------------------------------------------------------------

def _text(value, what: str) -> str:
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
    ti = _ti()
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
    text = _text(q.get("query"), f"{name}.query")
    try:
        mask = type_mask(q.get("type"), _ti())
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
            codes[pid] = values[0].replace(" ", "").upper() if pid != "identifiantOfficiel" \
                else values[0]
    return depts, codes


def _results(index: NameIndex, hits) -> list[dict]:
    """The candidates as the API lists them: `match` only for an unambiguous exact one."""
    exact = [h for h in hits if h.exact and h.score >= 100]
    ti = _ti()
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


def _json(text: str, what: str):
    """JSON as a client sent it; malformed or absurdly nested is a 400, never a 500."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        reason = "nested too deep" if isinstance(error, RecursionError) else str(error)[:200]
        raise BadRequest(f"{what}: invalid JSON ({reason})") from None


def _parse_queries(raw: str):
    queries = _json(raw, "queries")
    if not isinstance(queries, dict):
        raise BadRequest("queries: a JSON object {\"q0\": {\"query\": …}, …}")
    if len(queries) > MAX_QUERIES:
        raise BadRequest(f"queries: {len(queries)} queries in one batch; at most {MAX_QUERIES}", 413)
    return queries


@bp.route("", methods=["GET", "POST", "HEAD"])
def service():
    queries = request.values.get("queries")
    single = request.values.get("query")
    if queries is None and request.is_json:
        body = _json(request.get_data(as_text=True), "body")
        if not isinstance(body, dict) or "queries" not in body:
            raise BadRequest("a JSON body must be {\"queries\": {\"q0\": {…}}}")
        queries = json.dumps(body["queries"])
    if queries is None and single is None:
        return _send(manifest())
    index, budget = _index(), Budget()
    try:
        if queries is not None:
            started = time.perf_counter()
            batch = _parse_queries(queries)
            answer = {str(key): {"result": run_query(index, q, str(key), budget)}
                      for key, q in batch.items()}
            response = _send(answer)
            took = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"reconcile;dur={took:.1f}"
            return response
        q = _json(single, "query") if single.lstrip().startswith("{") else single
        return _send({"result": run_query(index, q, "query", budget)})
    except OverBudget as over:
        raise BadRequest(str(over), 422) from None


# --- preview, flyout, suggest -------------------------------------------------------------

def _entity(index: NameIndex) -> int:
    raw = request.args.get("id", "").strip()
    if not raw:
        raise BadRequest("id: required (e.g. commune/25056)")
    prefix = store().base + "id/"
    local = raw[len(prefix):] if raw.startswith(prefix) else raw.lstrip("/")
    n = index.by_id.get(local)
    if n is None:
        raise BadRequest(f"unknown entity {raw[:200]!r}", 404)
    return n


def card(index: NameIndex, n: int) -> str:
    """A small HTML card about an entity; every datum escaped."""
    url = f"{hosts().root}doc/{index.ids[n]}"
    t = index.primary_type(n)
    codes = "".join(f"<dt>{escape(CODES[pid][1])}</dt><dd>{escape(code)}</dd>"
                    for pid, code in index.entity_codes.get(n, ()))
    depts = ", ".join(f"{index.dept_names.get(d, d)} ({d})" for d in index.depts[n][:6])
    extra = f"<dt>département(s)</dt><dd>{escape(depts)}</dd>" if depts else ""
    if index.population[n]:
        extra += f"<dt>population</dt><dd>{index.population[n]:,}</dd>".replace(",", "\u202f")
    return (f'<div class="ti-card" style="font:14px/1.35 system-ui,sans-serif;margin:0;padding:6px">'
            f'<a href="{escape(url)}" target="_blank" rel="noopener" '
            f'style="font-weight:600;font-size:15px">{escape(index.names[n])}</a>'
            f'<div style="color:#555">{escape(t.name)}</div>'
            f'<dl style="margin:4px 0;display:grid;grid-template-columns:auto 1fr;gap:0 8px">'
            f'{codes}{extra}</dl>'
            f'<div style="color:#777;font-size:12px">{escape(index.iri(n))}</div></div>')


@bp.route("/preview", methods=["GET", "HEAD"])
def preview():
    index = _index()
    n = _entity(index)
    html = ("<!doctype html><html lang=fr><meta charset=utf-8>"
            f"<title>{escape(index.names[n])}</title><body style=\"margin:0\">{card(index, n)}</body></html>")
    return Response(html, content_type=formats.HTML.content_type)


@bp.route("/flyout/entity", methods=["GET", "HEAD"])
def flyout():
    index = _index()
    n = _entity(index)
    return _send({"id": index.ids[n], "html": card(index, n)})


def _prefix_args() -> tuple[str, int, int]:
    prefix = _text(request.args.get("prefix", ""), "prefix")
    try:
        cursor = max(0, int(request.args.get("cursor", "0")))
        limit = max(1, min(MAX_LIMIT, int(request.args.get("limit", str(DEFAULT_LIMIT)))))
    except ValueError:
        raise BadRequest("cursor, limit: integers") from None
    return prefix, min(cursor, 1000), limit


@bp.route("/suggest/entity", methods=["GET", "HEAD"])
def suggest_entity():
    index = _index()
    prefix, cursor, limit = _prefix_args()
    raw_type = request.args.getlist("type")
    if len(raw_type) == 1 and raw_type[0].startswith("["):
        raw_type = _json(raw_type[0], "type")
    try:
        mask = type_mask(raw_type, _ti())
    except ValueError as error:
        raise BadRequest(f"type: {error}") from None
    try:
        found = index.prefix(prefix, mask, cursor + limit, Budget())[cursor:] \
            if prefix.strip() else []
    except OverBudget as over:
        raise BadRequest(str(over), 422) from None
    ti = _ti()
    result = []
    for n in found:
        t = index.primary_type(n)
        result.append({"id": index.ids[n], "name": index.names[n],
                       "description": index.describe(n),
                       "notable": [{"id": class_iri(t, ti), "name": t.name}]})
    return _send({"prefix": prefix, "result": result})


def _matches(prefix: str, *texts: str) -> bool:
    key = fold(prefix)
    return not key or any(fold(t).startswith(key) or f" {key}" in f" {fold(t)}" for t in texts)


@bp.route("/suggest/type", methods=["GET", "HEAD"])
def suggest_type():
    prefix, cursor, limit = _prefix_args()
    ti = _ti()
    result = [{"id": class_iri(t, ti), "name": t.name} for t in TYPES
              if _matches(prefix, t.key, t.name, class_iri(t, ti).rsplit("#", 1)[-1].rsplit("/", 1)[-1])]
    return _send({"prefix": prefix, "result": result[cursor:cursor + limit]})


@bp.route("/suggest/property", methods=["GET", "HEAD"])
def suggest_property():
    prefix, cursor, limit = _prefix_args()
    result = [{"id": pid, "name": label} for pid, label in PROPERTIES.items()
              if _matches(prefix, pid, label)]
    return _send({"prefix": prefix, "result": result[cursor:cursor + limit]})


