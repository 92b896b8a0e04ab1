"""A remote SPARQL 1.1 store in place of the embedded one (`territoires serve --store URL`).

`territoires publish --to GSP_URL` loads a build into the store graph by graph, then writes a
small *publication graph* (`{base}graph/publication`) holding the build's manifest. The front end
reads that graph (at most every `REFRESH_SECONDS`) to learn the live version and its graphs, and
every query it sends for the union of the data names those graphs as the protocol's dataset
(`default-graph-uri` and `named-graph-uri` = the build's graphs): the answers are the build's,
whatever the store's own default graph is (a union or not, with system graphs or not), and the
publication graph stays out of them. A query with its own FROM, or with the protocol's dataset,
is sent as it is.

`RemoteStore.query` has the embedded store's signature and returns pyoxigraph's own objects
(`QuerySolutions`, `QueryBoolean`, triples), parsed from the store's answers; views need not know
which store they read. Requests use one keep-alive connection per thread and endpoint.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pyoxigraph as ox

from ..config import Settings
from .executor import Outcome, TimedOut
from .published import Build, NoBuild, StoreUnavailable

REFRESH_SECONDS = 5.0
STORE_TIMEOUT = 60.0        # the front end's own queries (documents, statistics, indexes)
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
XSD = "http://www.w3.org/2001/XMLSchema#"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def publication_graph(base: str) -> str:
    return base + "graph/publication"


# ---- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str          # without parameters, lower case
    response: http.client.HTTPResponse
    connection: "Endpoint"


class Endpoint:
    """One SPARQL endpoint URL, reached over a keep-alive connection per thread."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url}")
        self.url = url
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"User-Agent": "territoires"}
        if parts.username:
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        self._local = threading.local()

    def post(self, params: list[tuple[str, str]], accept: str, timeout: float) -> Answer:
        """POST a form (query and dataset) and return the answer once its headers are in."""
        body = urlencode(params).encode()
        headers = {**self.headers, "Accept": accept,
                   "Content-Type": "application/x-www-form-urlencoded"}
        for attempt in (1, 2):
            connection = self._connection(timeout)
            try:
                connection.request("POST", self.path, body, headers)
                response = connection.getresponse()
            except (ConnectionError, http.client.BadStatusLine) as error:
                # A kept-alive connection the server closed meanwhile: retry once, afresh.
                self.drop()
                if attempt == 2:
                    raise StoreUnavailable(f"the store {self.url} is unreachable: {error}") from None
                continue
            except (OSError, http.client.HTTPException) as error:
                self.drop()
                if isinstance(error, (TimeoutError, socket.timeout)):
                    raise
                raise StoreUnavailable(f"the store {self.url} is unreachable: {error}") from None
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Answer(response.status, media_type, response, self)
        raise AssertionError("unreachable")

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            connection = kind(self.host, self.port, timeout=timeout)
            self._local.connection = connection
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def set_timeout(self, seconds: float) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None and connection.sock is not None:
            connection.sock.settimeout(seconds)

    def drop(self) -> None:
        """Close this thread's connection (after an error, or an answer left unread)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def read_all(answer: Answer, timeout: float) -> bytes:
    try:
        return answer.response.read()
    except (OSError, http.client.HTTPException) as error:
        answer.connection.drop()
        if isinstance(error, (TimeoutError, socket.timeout)):
            raise StoreUnavailable(f"the store {answer.connection.url} did not answer within "
                                   f"{timeout:g} s") from None
        raise StoreUnavailable(f"the store {answer.connection.url} failed: {error}") from None


# ---- the store -------------------------------------------------------------------------------


class RemoteStore:
    """The subset of `pyoxigraph.Store` the views use, over a SPARQL 1.1 endpoint."""

    def __init__(self, endpoint: Endpoint, graphs: tuple[str, ...], timeout: float = STORE_TIMEOUT):
        self.endpoint = endpoint
        self.graphs = graphs          # the build's named graphs: the union the data lives in
        self.timeout = timeout

    def dataset(self, use_default_graph_as_union: bool = False, default_graph=None,
                named_graphs=None) -> list[tuple[str, str]]:
        """The protocol's dataset parameters for these `Store.query` arguments."""
        if default_graph is not None or named_graphs is not None:
            return [*(("default-graph-uri", _iri(g)) for g in _listed(default_graph)),
                    *(("named-graph-uri", _iri(g)) for g in named_graphs or ())]
        if use_default_graph_as_union:
            return [*(("default-graph-uri", g) for g in self.graphs),
                    *(("named-graph-uri", g) for g in self.graphs)]
        return []

    def query(self, query: str, *, use_default_graph_as_union: bool = False,
              default_graph=None, named_graphs=None):
        params = [("query", query), *self.dataset(use_default_graph_as_union, default_graph,
                                                 named_graphs)]
        try:
            answer = self.endpoint.post(params, f"{RESULTS_JSON}, {N_TRIPLES}", self.timeout)
        except (TimeoutError, socket.timeout):
            raise StoreUnavailable(f"the store {self.endpoint.url} did not answer within "
                                   f"{self.timeout:g} s") from None
        body = read_all(answer, self.timeout)
        if answer.status == 400:
            raise SyntaxError(body.decode("utf-8", "replace").strip())
        if answer.status != 200:
            raise StoreUnavailable(f"the store {self.endpoint.url} answered {answer.status}: "
                                   f"{body[:500].decode('utf-8', 'replace').strip()}")
        if answer.media_type in (RESULTS_JSON, "application/json"):
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if answer.media_type == N_TRIPLES:
            return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        raise StoreUnavailable(f"the store {self.endpoint.url} answered in an unexpected format "
                               f"'{answer.media_type}'")

    def quads_for_pattern(self, subject, predicate, obj, graph_name=None) -> list[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": obj, "g": graph_name}
        term = {name: str(value) if value is not None else f"?{name}"
                for name, value in terms.items()}
        pattern = f"GRAPH {term['g']} {{ {term['s']} {term['p']} {term['o']} }}"
        rows = self.query(f"SELECT * WHERE {{ {pattern} }}", named_graphs=[
            ox.NamedNode(g) for g in self.graphs])
        return [ox.Quad(*(terms[name] if terms[name] is not None else row[name]
                          for name in "spog")) for row in rows]


def _listed(graphs) -> list:
    if graphs is None:
        return []
    return [graphs] if isinstance(graphs, (ox.NamedNode, ox.DefaultGraph, str)) else list(graphs)


def _iri(graph) -> str:
    return graph if isinstance(graph, str) else graph.value


# ---- the published build, as the store holds it ----------------------------------------------


class RemotePublished:
    """`Published` for a remote store: the live build is the one the publication graph names."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.endpoint = Endpoint(settings.store_url)
        self._lock = threading.Lock()
        self._build: Build | None = None
        self._checked = 0.0

    def current(self) -> Build:
        build = self._build
        if build is not None and time.monotonic() - self._checked < REFRESH_SECONDS:
            return build
        with self._lock:
            if self._build is None or time.monotonic() - self._checked >= REFRESH_SECONDS:
                self._refresh()
            return self._build

    def _refresh(self) -> None:
        try:
            manifest = read_manifest(self.endpoint, self.settings.base_uri)
        except StoreUnavailable:
            if self._build is None:
                raise
            self._checked = time.monotonic()   # keep serving what we know; try again later
            return
        if manifest is None:
            raise NoBuild(f"nothing is published in the store {self.endpoint.url}; run "
                          f"`territoires publish --to GRAPH_STORE_URL`")
        if self._build is None or manifest["version"] != self._build.version:
            store = RemoteStore(self.endpoint, tuple(manifest["graphs"]))
            self._build = Build(_local_copy(self.settings, manifest["version"]), manifest, store,
                                manifest.get("published_at", 0.0))
        self._checked = time.monotonic()


def read_manifest(endpoint: Endpoint, base: str) -> dict | None:
    graph = publication_graph(base)
    rows = RemoteStore(endpoint, ()).query(
        f"SELECT ?manifest WHERE {{ GRAPH <{graph}> {{ <{graph}> <{RDF_VALUE}> ?manifest }} }}")
    texts = [row[0].value for row in rows]
    return json.loads(texts[0]) if texts else None


def manifest_triples(manifest: dict, base: str) -> list[ox.Triple]:
    """What the publication graph says: the manifest as JSON, and its gist for people."""
    from datetime import datetime, timezone

    graph = ox.NamedNode(publication_graph(base))
    modified = datetime.fromtimestamp(manifest["published_at"], timezone.utc).replace(
        microsecond=0).isoformat()
    return [
        ox.Triple(graph, ox.NamedNode(RDF_VALUE),
                  ox.Literal(json.dumps(manifest, sort_keys=True), datatype=ox.NamedNode(RDF_JSON))),
        ox.Triple(graph, ox.NamedNode(OWL_VERSION), ox.Literal(manifest["version"])),
        ox.Triple(graph, ox.NamedNode(DCTERMS_MODIFIED),
                  ox.Literal(modified, datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(graph, ox.NamedNode(VOID_TRIPLES),
                  ox.Literal(str(manifest["triples"]), datatype=ox.NamedNode(XSD + "integer"))),
    ]


def _local_copy(settings: Settings, version: str) -> Path | None:
    """The local build of that version, if this machine has it (its dumps can then be served)."""
    try:
        path = settings.current_build.resolve(strict=True)
        if json.loads((path / "build.json").read_text())["version"] == version:
            return path
    except (OSError, ValueError, KeyError):
        pass
    return None


# ---- /sparql: a user's query, forwarded ------------------------------------------------------


def forward(store: RemoteStore, query: str, params: list[tuple[str, str]], offers: dict[str, str],
            form: str, timeout: float, max_bytes: int, out) -> Outcome:
    """Send a user's query (its dataset in `params`) asking for the media types `offers` maps to
    their form, and copy the answer into `out` — all of it within `timeout` and `max_bytes`, or
    nothing: the caller answers 200 only for a complete copy."""
    deadline = time.monotonic() + timeout
    try:
        answer = store.endpoint.post([("query", query), *params], ", ".join(offers), timeout)
    except (TimeoutError, socket.timeout):
        raise TimedOut() from None
    if answer.status != 200:
        return _refusal(answer, form, timeout)
    media_type = ALIASES.get(answer.media_type, answer.media_type)
    if media_type not in offers:
        answer.connection.drop()
        raise StoreUnavailable(f"the store {store.endpoint.url} answered in '{media_type}', "
                               f"not in {', '.join(offers)}")
    return _copy(answer, out, deadline, max_bytes, Outcome("ok", media_type, offers[media_type]))


ALIASES = {"application/json": RESULTS_JSON, "application/x-turtle": "text/turtle"}


def _refusal(answer: Answer, form: str, timeout: float) -> Outcome:
    message = read_all(answer, timeout)[:2000].decode("utf-8", "replace").strip()
    if answer.status == 400:     # the protocol's answer to a malformed query
        return Outcome("syntax", message, form)
    if answer.status == 406:
        return Outcome("not-acceptable", "", form)
    if answer.status == 500:     # the engine failed on this query
        return Outcome("error", message, form)
    raise StoreUnavailable(f"the store {answer.connection.url} answered {answer.status}: "
                           f"{message[:300]}")


def _copy(answer: Answer, out, deadline: float, max_bytes: int, done: Outcome) -> Outcome:
    written = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            answer.connection.set_timeout(remaining)
            chunk = answer.response.read(1 << 16)
            if not chunk:
                return done
            written += len(chunk)
            if written > max_bytes:
                answer.connection.drop()
                return Outcome("too-large", "", done.form)
            out.write(chunk)
    except (TimeoutError, socket.timeout):
        answer.connection.drop()
        raise TimedOut() from None
    except (OSError, http.client.HTTPException) as error:
        answer.connection.drop()
        raise StoreUnavailable(f"the store {answer.connection.url} failed mid-answer: "
                               f"{error}") from None
