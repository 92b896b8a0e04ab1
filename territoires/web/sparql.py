"""The public SPARQL 1.1 query endpoint, `/sparql` (SPARQL 1.1 Protocol, query operation).

Requests are checked here and by `guard` (read-only, no outbound request, size and nesting
limits); queries run in executor processes (`executor`) under a deadline, and their answers are
streamed from a spool file once complete. A GET without a query answers the service description.
With a remote store (`store_url`), the checked query is forwarded to it instead (`remote.forward`),
with the same deadline and size cap, asking it directly for the negotiated format.

Complete answers are kept in a per-worker cache bounded in bytes (`result_cache_bytes`), keyed by
everything that decides them: the query text, the protocol's dataset, the negotiated formats and
the dataset version. Errors, timeouts and answers over the cap are never cached, nor answers that
depend on another endpoint (SERVICE). `X-Cache: hit|miss` says which it was.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import wrap_file

from . import error_response, guard, remote
from .executor import Crashed, Executors, Job, Outcome, TimedOut, Unavailable
from .rendering import ByteLRU
from .response_cache import keep

bp = Blueprint("sparql", __name__)

EXTENSION = "territoires.sparql"
CACHE = "territoires.sparql.cache"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Format:
    media_type: str
    iri: str                       # the W3C format IRI, for the service description
    aliases: tuple[str, ...] = ()  # other media types clients send for it


# The first of each list is the default, for `*/*` and browsers' Accept.
RESULT_FORMATS = (
    Format("application/sparql-results+json", W3C_FORMATS + "SPARQL_Results_JSON",
           ("application/json",)),
    Format("application/sparql-results+xml", W3C_FORMATS + "SPARQL_Results_XML"),
    Format("text/csv", W3C_FORMATS + "SPARQL_Results_CSV"),
    Format("text/tab-separated-values", W3C_FORMATS + "SPARQL_Results_TSV"),
)
GRAPH_FORMATS = (
    Format("text/turtle", W3C_FORMATS + "Turtle", ("application/turtle", "application/x-turtle")),
    Format("application/n-triples", W3C_FORMATS + "N-Triples"),
    Format("application/ld+json", W3C_FORMATS + "JSON-LD", ("application/x-json+ld",)),
    Format("application/rdf+xml", W3C_FORMATS + "RDF_XML"),
    Format("application/n-quads", W3C_FORMATS + "N-Quads"),
    Format("application/trig", W3C_FORMATS + "TriG"),
)
# Short names for the `format` parameter. A name may stand for a results format and a graph
# format at once, for the query form to pick from (`json` is JSON-LD for a CONSTRUCT, as clients
# such as SPARQLWrapper expect).
SHORT_NAMES = {
    "json": "application/sparql-results+json, application/ld+json",
    "xml": "application/sparql-results+xml, application/rdf+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "n3": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf+xml": "application/rdf+xml", "rdf": "application/rdf+xml",
    "nq": "application/n-quads", "nquads": "application/n-quads", "trig": "application/trig",
}
FORM_NAMES = {"results": "SELECT or ASK", "graph": "CONSTRUCT or DESCRIBE"}


@bp.record_once
def _start(state) -> None:
    settings = state.app.extensions["territoires"].settings
    state.app.extensions[CACHE] = ByteLRU(settings.result_cache_bytes)
    if settings.store_url:
        return  # the remote store evaluates the queries: no executor
    # With no SERVICE endpoint allowed, executors also lose all network access.
    state.app.extensions[EXTENSION] = Executors(
        settings.query_executors, isolate_network=not settings.service_allowlist,
        prefixes=state.app.extensions["territoires"].vocab.prefixes())


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    try:
        params = _parameters()
        query = _query(params)
        if query is None:
            return _service_description(params)
        return _answer(query, params)
    except guard.Refused as refusal:
        return error_response(refusal.status, refusal.message)


# ---- the request -----------------------------------------------------------------------------


def _parameters() -> MultiDict:
    """The protocol's parameters, from the URL and, for a POST, the body."""
    if request.method == "GET":
        return request.args
    kind = request.mimetype
    try:
        if kind == "application/x-www-form-urlencoded":
            return MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
        if kind == "application/sparql-query":
            if "query" in request.args:
                raise guard.Refused(400, "send the query either in the body or in the URL, "
                                         "not both")
            return MultiDict([*request.args.items(multi=True), ("query", _body_text())])
    except RequestEntityTooLarge:
        raise guard.Refused(413, f"the request body is larger than the "
                                 f"{_settings().max_body_bytes:,}-byte limit") from None
    if kind == "application/sparql-update":
        raise _read_only()
    raise guard.Refused(415, f"cannot read a POST body of type '{kind or 'none'}': send the "
                             f"query as application/x-www-form-urlencoded (query=...) or as "
                             f"application/sparql-query")


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False).decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise guard.Refused(400, f"the query body is not valid {charset} text") from None


def _query(params: MultiDict) -> str | None:
    if "update" in params:
        if "query" in params:
            raise guard.Refused(400, "a request carries either 'query' or 'update', not both")
        raise _read_only()
    queries = params.getlist("query")
    if len(queries) > 1:
        raise guard.Refused(400, f"one query per request: 'query' was given {len(queries)} "
                                 f"times")
    if not queries and request.method == "POST":
        raise guard.Refused(400, "missing 'query' parameter (a POST must carry a query)")
    return queries[0] if queries else None


def _read_only() -> guard.Refused:
    return guard.Refused(403, "this endpoint is read-only: SPARQL Update is not accepted")


def _dataset(params: MultiDict, name: str) -> tuple[str, ...] | None:
    """Graph IRIs given by the protocol; None when the parameter is absent."""
    if name not in params:
        return None
    iris = tuple(params.getlist(name))
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise guard.Refused(400, f"'{name}' must be an absolute IRI, not '{iri}'") from None
    return iris


# ---- content negotiation ---------------------------------------------------------------------


def _negotiate(params: MultiDict, formats: tuple[Format, ...]) -> str | None:
    """The media type to answer in, among `formats`; None when none is acceptable."""
    accept = _format_parameter(params.getlist("format"))
    if accept is None:
        if "Accept" not in request.headers:
            return formats[0].media_type
        accept = request.accept_mimetypes
    # Canonical types first, so that `*/*` and equal qualities choose them.
    candidates = [f.media_type for f in formats] + [a for f in formats for a in f.aliases]
    match = accept.best_match(candidates)
    return next((f.media_type for f in formats if match in (f.media_type, *f.aliases)), None)


def _format_parameter(values: list[str]) -> MIMEAccept | None:
    """`format` values (short names or media types, possibly comma-separated) as an Accept."""
    if not values:
        return None
    items = []
    for item in (part.strip() for value in values for part in value.split(",")):
        if item.lower() in SHORT_NAMES:
            items.append(SHORT_NAMES[item.lower()])
        elif "/" in item:
            items.append(item)
        elif item:
            raise guard.Refused(400, f"unknown format '{item}'; use a media type or one of "
                                     f"{', '.join(SHORT_NAMES)}")
    return parse_accept_header(", ".join(items), MIMEAccept)


def _not_acceptable(form: str, params: MultiDict) -> Response:
    formats = RESULT_FORMATS if form == "results" else GRAPH_FORMATS
    asked = ", ".join(params.getlist("format")) or request.headers.get("Accept", "")
    return error_response(406, f"the answer to a {FORM_NAMES[form]} query cannot be given as "
                               f"'{asked}'; available: "
                               f"{', '.join(f.media_type for f in formats)}")


# ---- evaluation ------------------------------------------------------------------------------


def _answer(query: str, params: MultiDict) -> Response:
    settings = _settings()
    inspection = guard.inspect(query, settings.max_query_length)
    guard.check_services(inspection, settings.service_allowlist,
                         allow_local=settings.service_allow_local)
    results_type = _negotiate(params, RESULT_FORMATS)
    graph_type = _negotiate(params, GRAPH_FORMATS)
    if results_type is None and graph_type is None:
        return _not_acceptable("results", params)
    build = current_app.extensions["territoires"].published.current()
    job = Job(query=query, union=not inspection.has_from,
              default_graphs=_dataset(params, "default-graph-uri"),
              named_graphs=_dataset(params, "named-graph-uri"),
              results_type=results_type, graph_type=graph_type,
              spool="", max_bytes=settings.max_result_bytes)
    key = None if inspection.services else (query, job.default_graphs, job.named_graphs,
                                            results_type, graph_type, build.version)
    if key is not None:
        keep()  # a GET's whole response too (web/response_cache.py)
        if (cached := _cache().get(key)) is not None:
            return _cached_response(cached, "hit")
    try:
        if settings.store_url:
            outcome, answer = _forward(build, job, inspection.form)
        else:
            outcome, answer = _evaluate(build, job)
        if outcome.status == "ok":
            return _send(answer, outcome.detail, key)
        return _failure(outcome, params, build.manifest)
    except TimedOut:
        return error_response(503, f"the query exceeded the {settings.query_timeout:g} s "
                                   f"timeout and was stopped; narrow it, add a LIMIT, or "
                                   f"download the dumps")
    except Crashed:
        return error_response(400, "the query could not be evaluated: it made the query engine "
                                   "fail (is it nested very deep?)")
    except Unavailable as busy:
        response = error_response(503, f"the server is busy ({busy}); try again shortly")
        response.headers["Retry-After"] = "5"
        return response


def _evaluate(build, job: Job):
    """Run the job in an executor process; (outcome, the answer when ok: its bytes, or its
    open spool file when it was too large to come back inline)."""
    executors: Executors = current_app.extensions[EXTENSION]
    spool = executors.spool_path()
    try:
        union = job.union and not build.union_in_default_graph
        outcome = executors.run(build.store_path, replace(job, union=union, spool=str(spool)),
                                _settings().query_timeout)
        if outcome.status != "ok":
            return outcome, None
        if outcome.body is not None:
            return outcome, outcome.body
        return outcome, open(spool, "rb")
    finally:
        spool.unlink(missing_ok=True)   # an open answer file lives on until it is sent


def _forward(build, job: Job, form: str):
    """Send the job to the remote store, asking directly for the negotiated format."""
    offers = {"results": job.results_type, "graph": job.graph_type}
    if form and offers[form] is None:
        return Outcome("not-acceptable", "", form), None
    offers = {media_type: kind for kind, media_type in offers.items()
              if media_type is not None and form in ("", kind)}
    params = build.store.dataset(job.union, job.default_graphs, job.named_graphs)
    file = tempfile.TemporaryFile()
    try:
        outcome = remote.forward(build.store, job.query, params, offers, form,
                                 _settings().query_timeout, job.max_bytes, file)
    except BaseException:
        file.close()
        raise
    if outcome.status != "ok":
        file.close()
        return outcome, None
    file.seek(0)
    return outcome, file


def _failure(outcome: Outcome, params: MultiDict, manifest: dict) -> Response:
    if outcome.status == "syntax":
        return error_response(400, f"SPARQL syntax error: {outcome.detail}")
    if outcome.status == "not-acceptable":
        return _not_acceptable(outcome.form, params)
    if outcome.status == "too-large":
        dumps = ", ".join(request.url_root + d["file"] for d in manifest.get("dumps", {}).values())
        return error_response(422, f"the answer is larger than the "
                                   f"{_settings().max_result_bytes:,}-byte limit of this "
                                   f"endpoint; add a LIMIT (and OFFSET to page), or download "
                                   f"the whole graph: {dumps}")
    return error_response(400, f"the query could not be evaluated: {outcome.detail}")


def _send(answer: bytes | BinaryIO, media_type: str, key: tuple | None) -> Response:
    """Send a complete answer, given as bytes or as an (unlinked) file: kept in the cache when
    small enough, otherwise sent as it is (a file is streamed, and freed once sent)."""
    if isinstance(answer, bytes):
        answer = CachedAnswer(answer)
        answer.media_type = media_type
        if key is not None and _cache().fits(len(answer)):
            _cache().put(key, answer)
        return _cached_response(answer, "miss")
    file = answer
    size = os.fstat(file.fileno()).st_size
    if key is not None and _cache().fits(size):
        with file:
            answer = CachedAnswer(file.read())
        answer.media_type = media_type
        _cache().put(key, answer)
        return _cached_response(answer, "miss")
    response = Response(wrap_file(request.environ, file), mimetype=media_type,
                        direct_passthrough=True)
    response.content_length = size
    response.vary.add("Accept")
    response.headers["X-Cache"] = "miss"
    return response


class CachedAnswer(bytes):
    """A complete answer's bytes, with the media type it is in."""
    media_type: str


def _cached_response(answer: CachedAnswer, status: str) -> Response:
    response = Response(answer, mimetype=answer.media_type)
    response.vary.add("Accept")
    response.headers["X-Cache"] = status
    return response


def _cache() -> ByteLRU:
    return current_app.extensions[CACHE]


def _settings():
    return current_app.extensions["territoires"].settings


# ---- service description ---------------------------------------------------------------------


def _service_description(params: MultiDict) -> Response:
    media_type = _negotiate(params, GRAPH_FORMATS)
    if media_type is None:
        return _not_acceptable("graph", params)
    build = current_app.extensions["territoires"].published.current()
    body = ox.serialize(_description_triples(build.manifest), format=ox.RdfFormat.from_media_type(
        media_type), prefixes={"sd": SD, "void": VOID, "rdfs": RDFS})
    response = Response(body, mimetype=media_type)
    response.vary.add("Accept")
    return response


def _description_triples(manifest: dict) -> list[ox.Triple]:
    base = _settings().base_uri
    service = ox.NamedNode(base + "sparql#service")
    dataset = ox.NamedNode(base + "sparql#dataset")
    default = ox.NamedNode(base + "sparql#default-graph")
    triples = [
        (service, RDF_TYPE, _sd("Service")),
        (service, _sd("endpoint"), ox.NamedNode(base + "sparql")),
        (service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        (service, _sd("feature"), _sd("UnionDefaultGraph")),
        *((service, _sd("resultFormat"), ox.NamedNode(f.iri))
          for f in RESULT_FORMATS + GRAPH_FORMATS),
        *((service, ox.NamedNode(RDFS + "comment"), comment) for comment in _limits()),
        (service, _sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, _sd("Dataset")),
        (dataset, _sd("defaultGraph"), default),
        (default, RDF_TYPE, _sd("Graph")),
        (default, ox.NamedNode(VOID + "triples"), ox.Literal(manifest["triples"])),
    ]
    for name, count in manifest["graphs"].items():
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [(dataset, _sd("namedGraph"), named), (named, RDF_TYPE, _sd("NamedGraph")),
                    (named, _sd("name"), ox.NamedNode(name)), (named, _sd("graph"), graph),
                    (graph, RDF_TYPE, _sd("Graph")),
                    (graph, ox.NamedNode(VOID + "triples"), ox.Literal(count))]
    return [ox.Triple(*t) for t in triples]


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _limits() -> list[ox.Literal]:
    s = _settings()
    services = ", ".join(s.service_allowlist)
    english = (f"Read-only SPARQL 1.1 query endpoint; the default graph is the union of the "
               f"named graphs. Limits: {s.query_timeout:g} s per query, "
               f"{s.max_query_length:,} characters per query, {s.max_body_bytes:,} bytes per "
               f"request body, {s.max_result_bytes:,} bytes per answer (use LIMIT and OFFSET, "
               f"or the dumps). SPARQL Update is refused; SERVICE is "
               + (f"allowed only to: {services}." if services else "not allowed."))
    french = (f"Point d'accès SPARQL 1.1 en lecture seule ; le graphe par défaut est l'union des "
              f"graphes nommés. Limites : {s.query_timeout:g} s par requête, "
              f"{s.max_query_length:,} caractères par requête, {s.max_body_bytes:,} octets par "
              f"corps de requête, {s.max_result_bytes:,} octets par réponse (utiliser LIMIT et "
              f"OFFSET, ou les dumps). SPARQL Update est refusé ; SERVICE n'est "
              + (f"autorisé que vers : {services}." if services else "pas autorisé."))
    return [ox.Literal(english, language="en"), ox.Literal(french, language="fr")]
