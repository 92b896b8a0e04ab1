"""The reconciliation API's services around matching: the preview of an entity and its flyout
card (escaped HTML), and the suggestions of entities, types and properties as a user types."""

from __future__ import annotations


from flask import Response, request
from markupsafe import escape

from ...vocabulary import formats
from ...vocabulary.names import fold
from ..context import hosts, store
from .budget import Budget, OverBudget
from .index import NameIndex
from .reconcile import (DEFAULT_LIMIT, MAX_LIMIT, PROPERTIES, BadRequest, live_index, parse_json,
    respond, text_param, ti_namespace)
from .types import CODES, TYPES, class_iri, type_mask


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


def preview():
    index = live_index()
    n = _entity(index)
    html = ("<!doctype html><html lang=fr><meta charset=utf-8>"
            f"<title>{escape(index.names[n])}</title><body style=\"margin:0\">{card(index, n)}</body></html>")
    return Response(html, content_type=formats.HTML.content_type)


def flyout():
    index = live_index()
    n = _entity(index)
    return respond({"id": index.ids[n], "html": card(index, n)})


def _prefix_args() -> tuple[str, int, int]:
    prefix = text_param(request.args.get("prefix", ""), "prefix")
    try:
        cursor = max(0, int(request.args.get("cursor", "0")))
        limit = max(1, min(MAX_LIMIT, int(request.args.get("limit", str(DEFAULT_LIMIT)))))
    except ValueError:
        raise BadRequest("cursor, limit: integers") from None
    return prefix, min(cursor, 1000), limit


def suggest_entity():
    index = live_index()
    prefix, cursor, limit = _prefix_args()
    raw_type = request.args.getlist("type")
    if len(raw_type) == 1 and raw_type[0].startswith("["):
        raw_type = parse_json(raw_type[0], "type")
    try:
        mask = type_mask(raw_type, ti_namespace())
    except ValueError as error:
        raise BadRequest(f"type: {error}") from None
    try:
        found = index.prefix(prefix, mask, cursor + limit, Budget())[cursor:] \
            if prefix.strip() else []
    except OverBudget as over:
        raise BadRequest(str(over), 422) from None
    ti = ti_namespace()
    result = []
    for n in found:
        t = index.primary_type(n)
        result.append({"id": index.ids[n], "name": index.names[n],
                       "description": index.describe(n),
                       "notable": [{"id": class_iri(t, ti), "name": t.name}]})
    return respond({"prefix": prefix, "result": result})


def _matches(prefix: str, *texts: str) -> bool:
    key = fold(prefix)
    return not key or any(fold(t).startswith(key) or f" {key}" in f" {fold(t)}" for t in texts)


def suggest_type():
    prefix, cursor, limit = _prefix_args()
    ti = ti_namespace()
    result = [{"id": class_iri(t, ti), "name": t.name} for t in TYPES
              if _matches(prefix, t.key, t.name, class_iri(t, ti).rsplit("#", 1)[-1].rsplit("/", 1)[-1])]
    return respond({"prefix": prefix, "result": result[cursor:cursor + limit]})


def suggest_property():
    prefix, cursor, limit = _prefix_args()
    result = [{"id": pid, "name": label} for pid, label in PROPERTIES.items()
              if _matches(prefix, pid, label)]
    return respond({"prefix": prefix, "result": result[cursor:cursor + limit]})


