"""Reading a request of the SPARQL 1.1 Protocol's query operation: its parameters (from the URL
and, for a POST, the body), its one query, its dataset, and the formats it accepts (the Accept
header, or the `format` parameter many clients send). Anything else is refused with the status
the protocol gives it."""

from __future__ import annotations

import codecs

import pyoxigraph as ox
from flask import request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_accept_header

from ...vocabulary import formats
from ...vocabulary.formats import Format
from ..context import context
from .guard import Refused

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


def parameters() -> MultiDict:
    """The protocol's parameters, from the URL and, for a POST, the body."""
    if request.method == "GET":
        return request.args
    kind = request.mimetype
    try:
        if kind == "application/x-www-form-urlencoded":
            _check_charset()
            return MultiDict([*request.args.items(multi=True), *request.form.items(multi=True)])
        if kind == "application/sparql-query":
            if "query" in request.args:
                raise Refused(400, "send the query either in the body or in the URL, not both")
            return MultiDict([*request.args.items(multi=True), ("query", _body_text())])
    except RequestEntityTooLarge:
        raise Refused(413, f"the request body is larger than the "
                           f"{context().settings.max_body_bytes:,}-byte limit") from None
    if kind == "application/sparql-update":
        raise read_only()
    raise Refused(415, f"cannot read a POST body of type '{kind or 'none'}': send the query as "
                       f"application/x-www-form-urlencoded (query=...) or as "
                       f"application/sparql-query")


def _check_charset() -> None:
    """The protocol's bodies are UTF-8: a body that declares another charset is refused rather
    than read as something it is not."""
    charset = request.mimetype_params.get("charset")
    if charset is None:
        return
    try:
        utf8 = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8:
        raise Refused(400, f"the request body must be UTF-8 (SPARQL 1.1 Protocol), not "
                           f"'{charset[:40]}'")


def _body_text() -> str:
    _check_charset()
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the query body is not valid UTF-8 text") from None


def query(params: MultiDict) -> str | None:
    """The request's one query; None for a GET without any (the service description)."""
    if "update" in params:
        if "query" in params:
            raise Refused(400, "a request carries either 'query' or 'update', not both")
        raise read_only()
    queries = params.getlist("query")
    if len(queries) > 1:
        raise Refused(400, f"one query per request: 'query' was given {len(queries)} times")
    if not queries and request.method == "POST":
        raise Refused(400, "missing 'query' parameter (a POST must carry a query)")
    return queries[0] if queries else None


def read_only() -> Refused:
    return Refused(403, "this endpoint is read-only: SPARQL Update is not accepted")


def dataset(params: MultiDict, name: str) -> tuple[str, ...] | None:
    """Graph IRIs given by the protocol (`default-graph-uri`, `named-graph-uri`); None when the
    parameter is absent."""
    if name not in params:
        return None
    iris = tuple(params.getlist(name))
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise Refused(400, f"'{name}' must be an absolute IRI, not '{iri}'") from None
    return iris


def negotiate(params: MultiDict, offers: tuple[Format, ...]) -> Format | None:
    """The format to answer in among `offers`: the `format` parameter, else the Accept header;
    None when none is acceptable."""
    accept = _format_parameter(params.getlist("format"))
    return formats.negotiate(offers, request.accept_mimetypes if accept is None else accept)


def wants_page(params: MultiDict) -> bool:
    """A browser's GET without a query, where a client gets the service description: no `format`
    parameter, and HTML preferred to every format we answer in (a client that accepts anything,
    `*/*`, gets the description). With a query, a browser gets its answer (as from Fuseki or
    Oxigraph): the link to an answer stays a link to the answer."""
    if request.method != "GET" or {"format", "query", "update"} & params.keys():
        return False
    accept = request.accept_mimetypes
    offers = [f.media_type for f in (*formats.RESULTS, *formats.GRAPHS)]
    return accept.quality(formats.HTML.media_type) > max(map(accept.quality, offers))


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
            raise Refused(400, f"unknown format '{item}'; use a media type or one of "
                               f"{', '.join(SHORT_NAMES)}")
    return parse_accept_header(", ".join(items), MIMEAccept)
