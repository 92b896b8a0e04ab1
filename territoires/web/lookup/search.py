"""`/search?q=`: the name index searched by name or code, as an HTML page or as JSON, a page of
`limit` results at a time from `offset` (the page links to the next one)."""

from __future__ import annotations

import time
from dataclasses import replace

from flask import Response, jsonify, render_template, request, url_for

from ...vocabulary import formats
from ..context import hosts, store, vocabulary
from ..errors import error_response
from .budget import Budget, OverBudget
from .index import Hit, NameIndex, name_index
from .types import TYPES, class_iri, type_mask

MAX_Q = 500
PAGE = 20
MAX_OFFSET = 480      # results ranked at most: past 500 a search is better refined than paged


def result_json(index: NameIndex, hit_or_n, root: str) -> dict:
    n = hit_or_n.entity if isinstance(hit_or_n, Hit) else hit_or_n
    t = index.primary_type(n)
    item = {"id": index.iri(n), "url": f"{root}doc/{index.ids[n]}", "name": index.names[n],
            "type": class_iri(t, index.ti), "type_name": t.name,
            "description": index.describe(n)}
    if index.is_former(n):
        item["former"] = True
    if n in index.successor:
        m = index.successor[n][0]
        item["successor"] = {"id": index.iri(m), "url": f"{root}doc/{index.ids[m]}",
                             "name": index.names[m], "fate": index.fate(n)}
    if isinstance(hit_or_n, Hit):
        item["score"] = hit_or_n.score
        item["match"] = hit_or_n.exact
    return item


def _listing_format() -> formats.Negotiated:
    """HTML or JSON: the `format` parameter (`json`, a media type), else Accept (HTML when it
    accepts neither)."""
    named = request.args.get("format")
    if named:
        fmt = formats.JSON if named in (formats.JSON.ext, formats.JSON.media_type) \
            else formats.HTML
        return formats.choose(formats.LISTINGS, None, fmt)
    choice = formats.choose(formats.LISTINGS, request.accept_mimetypes)
    return choice if choice.format else replace(choice, format=formats.HTML)


def search_page() -> Response:
    q = request.args.get("q", "").strip()
    choice = _listing_format()
    fmt = choice.format
    if len(q) > MAX_Q:
        return error_response(400, f"q: at most {MAX_Q} characters")
    try:
        limit = max(1, min(100, int(request.args.get("limit", str(PAGE)))))
    except ValueError:
        return error_response(400, "limit: an integer from 1 to 100")
    try:
        offset = int(request.args.get("offset", "0"))
        if not 0 <= offset <= MAX_OFFSET:
            raise ValueError
    except ValueError:
        return error_response(400, f"offset: an integer from 0 to {MAX_OFFSET}")
    try:
        mask = type_mask(request.args.getlist("type"), str(vocabulary().ti))
    except ValueError as error:
        return error_response(400, f"type: {error}")
    live = store()
    index = name_index(live)
    root = hosts().root
    started = time.perf_counter()
    try:
        # One more than the page holds: whether there is a next page.
        hits = index.search(q, mask, limit=offset + limit + 1, budget=Budget()) if q else []
    except OverBudget as over:
        return error_response(422, str(over))
    more = len(hits) > offset + limit and offset + limit <= MAX_OFFSET
    results = [result_json(index, h, root) for h in hits[offset:offset + limit]]
    chosen = request.args.get("type") or None
    pages = {"next": url_for("search.search_page", q=q, type=chosen, offset=offset + limit,
                             limit=None if limit == PAGE else limit) if more else None,
             "previous": url_for("search.search_page", q=q, type=chosen,
                                 offset=max(0, offset - limit) or None,
                                 limit=None if limit == PAGE else limit) if offset else None}
    elapsed = time.perf_counter() - started
    if fmt is formats.HTML:
        page = render_template("search.html", q=q, results=results, offset=offset,
                               pages=pages, types=[(t.key, t.name) for t in TYPES],
                               chosen=chosen or "", version=live.version, hosts=hosts())
        return Response(page, content_type=fmt.content_type, headers=choice.vary)
    response = jsonify({"query": q, "version": live.version, "results": results,
                        "offset": offset, "next": pages["next"] and _json(pages["next"]),
                        "seconds": round(elapsed, 4),
                        "index": {"entities": len(index.ids), "keys": len(index.keys),
                                  "build_seconds": round(index.seconds, 3)}})
    response.headers.update(choice.vary)
    return response


def _json(link: str) -> str:
    """The JSON twin of a page link."""
    return link + ("&" if "?" in link else "?") + "format=json"
