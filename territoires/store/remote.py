"""A remote SPARQL 1.1 store in place of the embedded one (`territoires serve --store URL`).

`territoires publish --to GSP_URL` loads a build into the store graph by graph, puts the shapes
and the validation report beside them (`{base}shapes/territoires`, `{base}validation`), then writes a small *publication graph*
(`{base}graph/publication`) holding the build's manifest. The front end reads that graph (at most
every `REFRESH_SECONDS`) to learn the live version and its graphs, and every query it sends for
the union of the data names those graphs as the protocol's dataset (`default-graph-uri` and
`named-graph-uri`): the answers are the build's, whatever the store's own default graph is (a
union or not, with system graphs or not), and the publication and shapes graphs stay out of
them. A user's query with its own FROM, or with the protocol's dataset, is sent as it is.

`RemoteStore` answers as the embedded store does, with pyoxigraph's own objects parsed from the
store's answers; callers need not know which store they read. The protocol has no parameters,
so values are bound by `VALUES` blocks. Requests use one keep-alive connection per thread and
endpoint.
"""

from __future__ import annotations

import base64
import http.client
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pyoxigraph as ox

from ..vocabulary import formats
from .. import queries
from ..vocabulary.namespaces import DCTERMS, OWL, RDF, VOID, XSD
from ..queries import Query, Value
from .base import BuildStore
from .errors import Conflict, NoBuild, StoreUnavailable, TimedOut
from .jobs import Answer, Job, Outcome
from .manifest import Manifest, ManifestError
from .switch import Switch

REFRESH_SECONDS = 5.0
STORE_TIMEOUT = 60.0        # the front end's own queries (documents, statistics, indexes)
_ANSWERS = f"{formats.RESULTS_JSON.media_type}, {formats.N_TRIPLES.media_type}"


def publication_graph(base: str) -> str:
    return base + "graph/publication"


def shapes_graph(base: str) -> str:
    return base + "shapes/territoires"


def validation_graph(base: str) -> str:
    """The build's validation report, beside the data like the shapes."""
    return base + "validation"


def publication_triples(manifest: Manifest) -> list[ox.Triple]:
    """What the publication graph says: the manifest as JSON, and its gist for people."""
    graph = ox.NamedNode(publication_graph(manifest.base_uri))
    return [ox.Triple(graph, ox.NamedNode(str(p)), value) for p, value in (
        (RDF.value, ox.Literal(manifest.to_json(), datatype=ox.NamedNode(str(RDF.JSON)))),
        (OWL.versionInfo, ox.Literal(manifest.version)),
        (DCTERMS.modified, ox.Literal(manifest.modified, datatype=ox.NamedNode(str(XSD.dateTime)))),
        (VOID.triples, ox.Literal(str(manifest.triples), datatype=ox.NamedNode(str(XSD.integer)))),
    )]


# ---- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
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

    def post(self, params: list[tuple[str, str]], accept: str, timeout: float) -> Reply:
        """POST a form (query and dataset) and return the reply once its headers are in."""
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
            return Reply(response.status, media_type, response, self)
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
        """Close this thread's connection (after an error, or a reply left unread)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def read_all(self, reply: Reply, timeout: float) -> bytes:
        try:
            return reply.response.read()
        except (OSError, http.client.HTTPException) as error:
            self.drop()
            if isinstance(error, (TimeoutError, socket.timeout)):
                raise StoreUnavailable(f"the store {self.url} did not answer within "
                                       f"{timeout:g} s") from None
            raise StoreUnavailable(f"the store {self.url} failed: {error}") from None

    def query(self, text: str, dataset: list[tuple[str, str]], timeout: float = STORE_TIMEOUT):
        """Our own query, parsed: solutions, a boolean, or triples."""
        try:
            reply = self.post([("query", text), *dataset], _ANSWERS, timeout)
        except (TimeoutError, socket.timeout):
            raise StoreUnavailable(f"the store {self.url} did not answer within "
                                   f"{timeout:g} s") from None
        body = self.read_all(reply, timeout)
        if reply.status == 400:
            raise SyntaxError(body.decode("utf-8", "replace").strip())
        if reply.status != 200:
            raise StoreUnavailable(f"the store {self.url} answered {reply.status}: "
                                   f"{body[:500].decode('utf-8', 'replace').strip()}")
        fmt = formats.by_media_type(reply.media_type, (formats.RESULTS_JSON, formats.N_TRIPLES))
        if fmt is formats.RESULTS_JSON:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if fmt is formats.N_TRIPLES:
            return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        raise StoreUnavailable(f"the store {self.url} answered in an unexpected format "
                               f"'{reply.media_type}'")


def dataset_parameters(default_graphs, named_graphs) -> list[tuple[str, str]]:
    return [*(("default-graph-uri", g) for g in default_graphs or ()),
            *(("named-graph-uri", g) for g in named_graphs or ())]


# ---- the store -------------------------------------------------------------------------------


class RemoteStore(BuildStore):
    """One build's data in a remote store: its graphs are the union the data lives in."""

    def __init__(self, endpoint: Endpoint, manifest: Manifest, path: Path | None = None,
                 timeout: float = STORE_TIMEOUT):
        super().__init__(manifest, path)
        self.endpoint = endpoint
        self.graphs = tuple(manifest.graphs)
        self.timeout = timeout

    @property
    def union_materialized(self) -> bool:
        return False   # the protocol's dataset merges the graphs at query time

    def _run(self, query: Query, bindings: dict[str, Value],
             graphs: tuple[str, ...] | None = None):
        """Run one of our queries on `graphs` (default: the build's), values in VALUES blocks."""
        graphs = self.graphs if graphs is None else graphs
        text = queries.with_base(query.values(bindings), self.base)
        return self.endpoint.query(text, dataset_parameters(graphs, graphs), self.timeout)

    def select(self, query: Query, **bindings: Value):
        return self._run(query, bindings)

    def ask(self, query: Query, **bindings: Value) -> bool:
        return bool(self._run(query, bindings))

    def shapes(self) -> list[ox.Triple]:
        return self._beside(shapes_graph(self.base))

    def validation(self) -> list[ox.Triple]:
        return self._beside(validation_graph(self.base)) if self.manifest.validation else []

    def _beside(self, graph: str) -> list[ox.Triple]:
        """A graph put beside the data (shapes, validation report)."""
        rows = self._run(queries.get("store/graph"), {"graph": ox.NamedNode(graph)}, (graph,))
        return sorted((ox.Triple(row["s"], row["p"], row["o"]) for row in rows), key=str)

    def answer(self, job: Job, timeout: float) -> Answer:
        """Send a user's query, asking the store directly for the negotiated format, and copy
        the answer into a temporary file — all of it within `timeout` and the job's cap, or
        nothing: the caller answers 200 only for a complete copy."""
        kinds = {"results": job.results_type, "graph": job.graph_type}
        if job.form and kinds[job.form] is None:
            return Answer(Outcome("not-acceptable", "", job.form))
        # Only what the query's form can be answered in (both when the form is not known).
        offers = {media_type: kind for kind, media_type in kinds.items()
                  if media_type is not None and job.form in ("", kind)}
        if job.default_graphs is None and job.named_graphs is None and job.union:
            dataset = dataset_parameters(self.graphs, self.graphs)
        else:
            dataset = dataset_parameters(job.default_graphs, job.named_graphs)
        deadline = time.monotonic() + timeout
        try:
            reply = self.endpoint.post([("query", job.query), *dataset], ", ".join(offers), timeout)
        except (TimeoutError, socket.timeout):
            raise TimedOut() from None
        if reply.status != 200:
            return Answer(self._refusal(reply, job.form, timeout))
        fmt = formats.by_media_type(reply.media_type, (*formats.RESULTS, *formats.GRAPHS))
        if fmt is None or fmt.media_type not in offers:
            self.endpoint.drop()
            raise StoreUnavailable(f"the store {self.endpoint.url} answered in "
                                   f"'{reply.media_type}', not in {', '.join(offers)}")
        return self._copy(reply, deadline, job.max_bytes,
                          Outcome("ok", fmt.media_type, offers[fmt.media_type]))

    def _refusal(self, reply: Reply, form: str, timeout: float) -> Outcome:
        message = self.endpoint.read_all(reply, timeout)[:2000].decode("utf-8", "replace").strip()
        if reply.status == 400:     # the protocol's answer to a malformed query
            return Outcome("syntax", message, form)
        if reply.status == 406:
            return Outcome("not-acceptable", "", form)
        if reply.status == 500:     # the engine failed on this query
            return Outcome("error", message, form)
        raise StoreUnavailable(f"the store {self.endpoint.url} answered {reply.status}: "
                               f"{message[:300]}")

    def _copy(self, reply: Reply, deadline: float, max_bytes: int, done: Outcome) -> Answer:
        file = tempfile.TemporaryFile()
        written = 0
        try:
            while chunk := self._read(reply, deadline):
                written += len(chunk)
                if written > max_bytes:
                    self.endpoint.drop()
                    file.close()
                    return Answer(replace(done, status="too-large", detail=""))
                file.write(chunk)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        return Answer(done, file)

    def _read(self, reply: Reply, deadline: float) -> bytes:
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            self.endpoint.set_timeout(remaining)
            return reply.response.read(1 << 16)
        except (TimeoutError, socket.timeout):
            self.endpoint.drop()
            raise TimedOut() from None
        except (OSError, http.client.HTTPException) as error:
            self.endpoint.drop()
            raise StoreUnavailable(f"the store {self.endpoint.url} failed mid-answer: "
                                   f"{error}") from None


# ---- the published build, as the store holds it ----------------------------------------------


class RemotePublication:
    """The live build of a remote store: the one its publication graph names (read at most every
    REFRESH_SECONDS), prepared aside and served once ready (switch.py). With no base given, the
    store must hold exactly one publication."""

    def __init__(self, url: str, base: str | None, local_link: Path | None = None, prepare=None):
        self.endpoint = Endpoint(url)
        self.base = base
        self.local_link = local_link     # where this machine's own build may be (for dumps)
        self.switch = Switch(prepare)
        self._manifest: Manifest | None = None
        self._checked = 0.0

    def close(self) -> None:
        self.endpoint.drop()

    def current(self) -> RemoteStore:
        if self._manifest is None or time.monotonic() - self._checked >= REFRESH_SECONDS:
            self._refresh()
        manifest = self._manifest
        return self.switch.serve(manifest.version, lambda: RemoteStore(
            self.endpoint, manifest, self._local_copy(manifest)))

    def _refresh(self) -> None:
        try:
            manifest = read_manifest(self.endpoint, self.base)
        except StoreUnavailable:
            if self._manifest is None:
                raise
            self._checked = time.monotonic()   # keep serving what we know; try again later
            return
        if manifest is None:
            raise NoBuild(f"nothing is published in the store {self.endpoint.url}; run "
                          f"`territoires publish --to GRAPH_STORE_URL`")
        self._manifest, self._checked = manifest, time.monotonic()

    def _local_copy(self, manifest: Manifest) -> Path | None:
        """The local build of that version, if this machine has it (its dumps can be served)."""
        try:
            path = self.local_link.resolve(strict=True)
            if Manifest.read(path).version == manifest.version:
                return path
        except (AttributeError, OSError, ManifestError):
            pass
        return None


def read_manifest(endpoint: Endpoint, base: str | None) -> Manifest | None:
    """The manifest the store's publication graph holds: the one of `base`, or the only one."""
    query = queries.get("store/publications")
    bindings = {} if base is None else {"graph": ox.NamedNode(publication_graph(base))}
    found = {row["graph"].value: row["manifest"].value
             for row in endpoint.query(query.values(bindings), [])}
    if len(found) > 1:
        bases = ", ".join(sorted(g.removesuffix("graph/publication") for g in found))
        raise Conflict(f"the store {endpoint.url} holds the publications of several bases "
                       f"({bases}): give the server the one to serve (--base-uri)")
    if not found:
        return None
    graph, text = found.popitem()
    return Manifest.from_json(text, f"<{graph}> in {endpoint.url}")
