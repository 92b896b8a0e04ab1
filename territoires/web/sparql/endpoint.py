"""The public SPARQL 1.1 query endpoint, `/sparql` (SPARQL 1.1 Protocol, query operation).

A request is read by `protocol` and checked by `guard` (read-only, no outbound request, size and
nesting limits) before the store answers it within the deadline and the size cap: the local store
in an executor process (or in this worker when its cost is bounded small: cheap.py), a remote
store by forwarding it. A client gets a 200 only for a complete
answer. A GET without a query answers the service description, or, to a browser (HTML preferred
to every description format, no `format` parameter), the query editor, as Fuseki and Oxigraph do.

Complete answers are kept per application in a cache bounded in bytes (`result_cache_bytes`),
keyed by everything that decides them: the query text, the protocol's dataset, the negotiated
formats and the build (version and base). Errors, timeouts and answers over the cap are never
cached, nor answers that depend on another endpoint (SERVICE). `X-Cache: hit|miss` says which it
was.
"""

from __future__ import annotations

import os

from flask import Response, request
from werkzeug.datastructures import MultiDict
from werkzeug.wsgi import wrap_file

from ...vocabulary import formats
from ...store import (Answer, Crashed, Job, Outcome, OutOfMemory, Store, TimedOut,
                      Unavailable)
from ..caching.policy import cacheable, no_store
from ..caching.responses import keep
from ..context import context, store
from ..errors import error_response
from ..http import etag
from . import cheap, guard, page, protocol, service

FORM_NAMES = {"results": "SELECT or ASK", "graph": "CONSTRUCT or DESCRIBE"}


def endpoint() -> Response:
    try:
        params = protocol.parameters()
        if protocol.wants_page(params):     # a browser: the editor
            return page.query_page()
        query = protocol.query(params)
        if query is None:
            return _service_description(params)
        return _answer(query, params)
    except guard.Refused as refusal:
        return error_response(refusal.status, refusal.message)


def _service_description(params: MultiDict) -> Response:
    fmt = protocol.negotiate(params, formats.GRAPHS)
    if fmt is None:
        return _not_acceptable("graph", params)
    cacheable("sparql")
    return service.description(store().manifest, context().settings, fmt)


def _answer(query: str, params: MultiDict) -> Response:
    settings = context().settings
    inspection = guard.inspect(query, settings.max_query_length, bounds=guard.Bounds(
        settings.max_query_terms, settings.max_query_operators, settings.max_query_patterns))
    guard.check_services(inspection, settings.service_allowlist,
                         allow_local=settings.service_allow_local)
    results_type = protocol.negotiate(params, formats.RESULTS)
    graph_type = protocol.negotiate(params, formats.GRAPHS)
    if results_type is None and graph_type is None:
        return _not_acceptable("results", params)
    live = store()
    job = Job(query=query, union=not inspection.has_from,
              default_graphs=protocol.dataset(params, "default-graph-uri"),
              named_graphs=protocol.dataset(params, "named-graph-uri"),
              results_type=results_type and results_type.media_type,
              graph_type=graph_type and graph_type.media_type,
              max_bytes=settings.max_result_bytes, form=inspection.form,
              heavy=bool(inspection.heavy))
    key = None if inspection.services else (job, live.version, live.base)
    if key is None:   # it reaches another endpoint: the answer is not ours alone to keep
        no_store()
    if key is not None:   # an answer of ours alone (no SERVICE): cacheable until the next build
        keep()  # a GET's whole response too (caching/responses.py)
        cacheable("sparql")
        if (cached := context().results.get(key)) is not None:
            return _tagged(_cached_response(cached, "hit"), key)
    answer = _evaluate(live, job, inspection.shape)
    if isinstance(answer, Response):
        return answer
    if not answer.ok:
        return _failure(answer.outcome, params, live)
    return _tagged(_send(answer, key), key)


def _evaluate(live: Store, job: Job, shape) -> Answer | Response:
    """The store's answer, or the 503 that says why there is none. A query whose cost the store
    can bound small (`shape`, cheap.py) is answered in this worker: the round trip to an executor
    would cost more than the query, and it cannot outlive the deadline."""
    settings = context().settings
    if shape is not None and (here := live.answer_here(job, shape, cheap.BUDGET)) is not None:
        return here
    try:
        return live.answer(job, settings.query_timeout)
    except TimedOut:
        return error_response(503, f"the query exceeded the {settings.query_timeout:g} s "
                                   f"timeout and was stopped; narrow it, add a LIMIT, or "
                                   f"download the dumps")
    except OutOfMemory:
        return error_response(503, f"the query needed more than the "
                                   f"{settings.executor_memory_mib:,} MiB of memory a query "
                                   f"executor may use and was stopped; narrow it (fewer or "
                                   f"shorter intermediate values), or download the dumps",
                              {"Retry-After": "5"})
    except Crashed:
        # The executor died (killed, out of memory…): the server's fault, not the query's, as
        # far as the client can tell; it was replaced, so trying again may well succeed.
        return error_response(503, "the query executor failed while evaluating the query and "
                                   "was replaced; try again shortly", {"Retry-After": "5"})
    except Unavailable as busy:   # no executor free in time, or the heavy lane full (Busy)
        return error_response(503, f"the server is busy ({busy}); try again shortly",
                              {"Retry-After": "5"})


def _tagged(response: Response, key: tuple | None) -> Response:
    """The same query, dataset, formats and build give the same bytes: one validator."""
    if key is not None:
        response.set_etag(etag(*map(str, key)))
    return response


def _not_acceptable(form: str, params: MultiDict) -> Response:
    offers = formats.RESULTS if form == "results" else formats.GRAPHS
    asked = ", ".join(params.getlist("format")) or request.headers.get("Accept", "")
    return error_response(406, f"the answer to a {FORM_NAMES[form]} query cannot be given as "
                               f"'{asked}'; available: "
                               f"{', '.join(f.media_type for f in offers)}")


def _failure(outcome: Outcome, params: MultiDict, live: Store) -> Response:
    if outcome.status == "syntax":
        return error_response(400, f"SPARQL syntax error: {outcome.detail}")
    if outcome.status == "not-acceptable":
        return _not_acceptable(outcome.form, params)
    if outcome.status == "too-large":
        dumps = ", ".join(request.url_root + d["file"] for d in live.manifest.dumps.values())
        return error_response(422, f"the answer is larger than the "
                                   f"{context().settings.max_result_bytes:,}-byte limit of this "
                                   f"endpoint; add a LIMIT (and OFFSET to page), or download "
                                   f"the whole graph: {dumps}")
    return error_response(400, f"the query could not be evaluated: {outcome.detail}")


class CachedAnswer(bytes):
    """A complete answer's bytes, with the media type it is in."""
    media_type: str


def _send(answer: Answer, key: tuple | None) -> Response:
    """Send a complete answer, given as bytes or as an (unlinked) file: kept in the cache when
    small enough, otherwise sent as it is (a file is streamed, and freed once sent)."""
    media_type = answer.outcome.detail
    if answer.file is None:
        return _kept(answer.outcome.body, media_type, key)
    size = os.fstat(answer.file.fileno()).st_size
    if key is not None and context().results.fits(size):
        with answer.file:
            return _kept(answer.file.read(), media_type, key)
    response = Response(wrap_file(request.environ, answer.file), mimetype=media_type,
                        direct_passthrough=True)
    response.content_length = size
    response.headers["X-Cache"] = "miss"
    return response


def _kept(body: bytes, media_type: str, key: tuple | None) -> Response:
    cached = CachedAnswer(body)
    cached.media_type = media_type
    if key is not None:
        context().results.put(key, cached)   # if it fits
    return _cached_response(cached, "miss")


def _cached_response(answer: CachedAnswer, status: str) -> Response:
    response = Response(answer, mimetype=answer.media_type)
    response.headers["X-Cache"] = status
    return response
