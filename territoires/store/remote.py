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
so values are bound by `VALUES` blocks. Requests go through the project's one SPARQL client
(`sparql_client.py`: a keep-alive connection per thread). A store that says its answer is not
whole (Virtuoso's result cap, its "anytime" answers past its time limit: `cut_short`) never
yields a 200 nor a silently short result.
"""

from __future__ import annotations

import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from ..vocabulary import formats
from .. import queries
from ..vocabulary.namespaces import DCTERMS, OWL, RDF, VOID, XSD
from ..queries import Query, Value
from .base import BuildStore
from .errors import Conflict, NoBuild, StoreUnavailable, TimedOut
from .jobs import Answer, Job, Outcome
from .manifest import Manifest, ManifestError
from .sparql_client import (ANSWERS, HttpError, NoAnswer, Reply, SparqlClient, SparqlError,
    parse_answer, user_agent)
from .switch import Switch

REFRESH_SECONDS = 5.0
VIRTUOSO_TIMEOUT = "Virtuoso S1T00"   # the SQL state of a query stopped at its time limit
EMPTY_GRAPH = "urn:x-territoires:no-graph"   # names no graph: an empty side of a dataset
CONTAINED = {formats.N_QUADS.media_type: formats.N_TRIPLES.media_type,
             formats.TRIG.media_type: formats.TURTLE.media_type}
STORE_TIMEOUT = 60.0        # the front end's own queries (documents, statistics, indexes)


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


# ---- our own queries -------------------------------------------------------------------------


def store_client(url: str, home: str | None = None, timeout: float = STORE_TIMEOUT) -> SparqlClient:
    """The client for a store: no retries (a front end answers within its deadline or not)."""
    return SparqlClient(url, user_agent(home=home or ""), timeout=timeout)


def run_query(client: SparqlClient, text: str, dataset: list[tuple[str, str]],
              timeout: float = STORE_TIMEOUT):
    """Our own query, parsed: solutions, a boolean, or triples — never a silently cut answer."""
    try:
        reply = client.post_query(text, dataset, ANSWERS, timeout)
        body = client.expect_ok(reply, "POST", timeout)
    except HttpError as error:
        if error.status == 400:
            raise SyntaxError(error.detail) from None
        raise StoreUnavailable(f"the store {client.url} answered {error.status}: "
                               f"{error.detail[:300]}") from None
    except SparqlError as error:
        raise StoreUnavailable(f"the store {error}") from None
    if cut := cut_short(reply):
        raise StoreUnavailable(f"the store {client.url} {cut[1]}")
    try:
        return parse_answer(body, reply, client.url)
    except SparqlError as error:
        raise StoreUnavailable(f"the store {error}") from None


def cut_short(reply: Reply) -> tuple[str, str] | None:
    """Why a 200 is not the whole answer, when the store says so in its headers — ("cap" or
    "time", in words): Virtuoso cuts every answer at its `ResultSetMaxRows` (saying
    `X-SPARQL-MaxRows`), and past its `MaxQueryExecutionTime` returns what it found so far (an
    "anytime" answer, `X-SQL-State: S1TAT`). Either would otherwise pass for the whole answer."""
    rows = reply.header("X-SPARQL-MaxRows")
    if rows:
        return "cap", (f"cut its answer at {rows} rows, its result cap (Virtuoso: raise "
                       f"ResultSetMaxRows above it); add a LIMIT (and OFFSET to page) below it")
    if (reply.header("X-SQL-State") or "").strip() == "S1TAT":
        return "time", "stopped the query at its own time limit and answered only part of it"
    return None


def dataset_parameters(default_graphs, named_graphs) -> list[tuple[str, str]]:
    """The protocol's dataset. Given one side only, the other is empty (SPARQL 1.1 Protocol),
    which is said by naming a graph no store holds: Virtuoso would take every graph instead."""
    if not default_graphs and not named_graphs:
        return []
    return [*(("default-graph-uri", g) for g in default_graphs or (EMPTY_GRAPH,)),
            *(("named-graph-uri", g) for g in named_graphs or (EMPTY_GRAPH,))]


def accept_header(offers) -> str:
    """The media types asked of the store: the negotiated ones, each followed by the syntax it
    contains (a store without N-Quads or TriG answers a graph in N-Triples or Turtle, which are
    valid N-Quads and TriG as they are)."""
    asked = list(offers)
    asked += [f"{CONTAINED[m]};q=0.5" for m in offers
              if m in CONTAINED and CONTAINED[m] not in offers]
    return ", ".join(asked)


def syntax_error(query: str) -> str | None:
    """pyoxigraph's words for a query a store refused as malformed, so that a syntax error reads
    the same whichever store is behind (None: pyoxigraph reads it, the store's words stand).
    Parsed on an empty in-memory store, and not at all if the query may call a SERVICE (an
    ASK is evaluated at once: it must reach nothing)."""
    if "SERVICE" in query.upper():
        return None
    try:
        ox.Store().query(query)
    except SyntaxError as error:
        return str(error)
    except (OSError, ValueError, TypeError):
        return None
    return None


def answered_as(media_type: str, offers) -> str | None:
    """Which offered media type a store's answer is (its own, or one that contains it)."""
    if media_type in offers:
        return media_type
    return next((m for m in offers if CONTAINED.get(m) == media_type), None)


# ---- the store -------------------------------------------------------------------------------


class RemoteStore(BuildStore):
    """One build's data in a remote store: its graphs are the union the data lives in."""

    def __init__(self, client: SparqlClient, manifest: Manifest, path: Path | None = None,
                 timeout: float = STORE_TIMEOUT):
        super().__init__(manifest, path)
        self.client = client
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
        return run_query(self.client, text, dataset_parameters(graphs, graphs), self.timeout)

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
        reply = self._post(job.query, dataset, accept_header(offers), timeout)
        contained = [CONTAINED[m] for m in offers if m in CONTAINED]
        if reply.status == 406 and contained:
            # A store that refuses the whole Accept for one type it lacks (Virtuoso and
            # N-Quads): asked again for the syntaxes contained in the negotiated ones.
            self._refusal(reply, job.query, job.form, timeout)
            reply = self._post(job.query, dataset, ", ".join(contained),
                               max(0.001, deadline - time.monotonic()))
        if reply.status != 200:
            return Answer(self._refusal(reply, job.query, job.form, timeout))
        if cut := cut_short(reply):
            return self._cut(cut, job.form)
        fmt = formats.by_media_type(reply.media_type, (*formats.RESULTS, *formats.GRAPHS))
        media_type = answered_as(fmt.media_type, offers) if fmt is not None else None
        if media_type is None:
            self.client.drop()
            raise StoreUnavailable(f"the store {self.client.url} answered in "
                                   f"'{reply.media_type}', not in {', '.join(offers)}")
        return self._copy(reply, deadline, job.max_bytes,
                          Outcome("ok", media_type, offers[media_type]))

    def _post(self, query: str, dataset: list[tuple[str, str]], accept: str,
              timeout: float) -> Reply:
        try:
            return self.client.post_query(query, dataset, accept, timeout)
        except NoAnswer:
            raise TimedOut() from None
        except SparqlError as error:
            raise StoreUnavailable(f"the store {error}") from None

    def _cut(self, cut: tuple[str, str], form: str) -> Answer:
        """A store's answer that says it is not whole: never a 200 (its time limit is a
        timeout; its result cap, an error saying so)."""
        self.client.drop()
        kind, message = cut
        if kind == "time":
            raise TimedOut()
        return Answer(Outcome("error", f"the store {message}", form))

    def _refusal(self, reply: Reply, query: str, form: str, timeout: float) -> Outcome:
        try:
            body = self.client.read_all(reply, timeout)
        except SparqlError as error:
            raise StoreUnavailable(f"the store {error}") from None
        message = body[:2000].decode("utf-8", "replace").strip()
        if reply.status == 400:     # the protocol's answer to a malformed query
            return Outcome("syntax", syntax_error(query) or message, form)
        if reply.status == 406:
            return Outcome("not-acceptable", "", form)
        if reply.status == 500 and VIRTUOSO_TIMEOUT in message:
            raise TimedOut()        # Virtuoso past its MaxQueryExecutionTime
        if reply.status == 500:     # the engine failed on this query
            return Outcome("error", message, form)
        raise StoreUnavailable(f"the store {self.client.url} answered {reply.status}: "
                               f"{message[:300]}")

    def _copy(self, reply: Reply, deadline: float, max_bytes: int, done: Outcome) -> Answer:
        file = tempfile.TemporaryFile()
        written = 0
        try:
            while chunk := self._read(reply, deadline):
                written += len(chunk)
                if written > max_bytes:
                    self.client.drop()
                    file.close()
                    return Answer(replace(done, status="too-large", detail=""))
                file.write(chunk)
        except BaseException:
            file.close()
            raise
        file.seek(0)
        return Answer(done, file)

    def _read(self, reply: Reply, deadline: float) -> bytes:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError()
            return self.client.read_chunk(reply, remaining)
        except (TimeoutError, socket.timeout):
            self.client.drop()
            raise TimedOut() from None
        except SparqlError as error:
            raise StoreUnavailable(f"the store {error}") from None


# ---- the published build, as the store holds it ----------------------------------------------


class RemotePublication:
    """The live build of a remote store: the one its publication graph names (read at most every
    REFRESH_SECONDS), prepared aside and served once ready (switch.py). With no base given, the
    store must hold exactly one publication."""

    def __init__(self, url: str, base: str | None, local_link: Path | None = None, prepare=None):
        self.client = store_client(url, base)
        self.base = base
        self.local_link = local_link     # where this machine's own build may be (for dumps)
        self.switch = Switch(prepare)
        self._manifest: Manifest | None = None
        self._checked = 0.0

    def close(self) -> None:
        self.client.drop()

    def current(self) -> RemoteStore:
        if self._manifest is None or time.monotonic() - self._checked >= REFRESH_SECONDS:
            self._refresh()
        manifest = self._manifest
        return self.switch.serve(manifest.version, lambda: RemoteStore(
            self.client, manifest, self._local_copy(manifest)))

    def _refresh(self) -> None:
        try:
            manifest = read_manifest(self.client, self.base)
        except StoreUnavailable:
            if self._manifest is None:
                raise
            self._checked = time.monotonic()   # keep serving what we know; try again later
            return
        if manifest is None:
            raise NoBuild(f"nothing is published in the store {self.client.url}; run "
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


def read_manifest(client: SparqlClient, base: str | None) -> Manifest | None:
    """The manifest the store's publication graph holds: the one of `base`, or the only one."""
    query = queries.get("store/publications")
    bindings = {} if base is None else {"graph": ox.NamedNode(publication_graph(base))}
    found = {row["graph"].value: row["manifest"].value
             for row in run_query(client, query.values(bindings), [])}
    if len(found) > 1:
        bases = ", ".join(sorted(g.removesuffix("graph/publication") for g in found))
        raise Conflict(f"the store {client.url} holds the publications of several bases "
                       f"({bases}): give the server the one to serve (--base-uri)")
    if not found:
        return None
    graph, text = found.popitem()
    return Manifest.from_json(text, f"<{graph}> in {client.url}")
