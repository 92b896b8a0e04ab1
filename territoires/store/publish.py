"""`territoires publish --to GSP_URL`: load the published build into a remote SPARQL store.

Each named graph of `dump/territoires.nq.gz` is sent as N-Triples in one HTTP PUT to the SPARQL
1.1 Graph Store Protocol endpoint (`GSP_URL?graph=IRI`), so each graph is replaced atomically,
and the shapes the build was validated with go beside them (`{base}shapes/territoires`, outside
the data's dataset). The loaded graphs are then counted through the query endpoint and must
match the manifest; graphs of the previous publication that the build no longer has are
deleted; last, the publication graph (`{base}graph/publication`: the manifest, with the version)
is written, which is what tells the front ends (`territoires serve --store QUERY_URL`) that a new
version is live.
Between the first PUT and the last, readers see new graphs under the old version number.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from .. import queries
from ..config import Settings
from . import Conflict, Manifest, StoreUnavailable
from .remote import (publication_graph, publication_triples, read_manifest, run_query,
    shapes_graph, store_client, validation_graph)
from .sparql_client import Retries, SparqlClient, SparqlError, user_agent

REQUEST_TIMEOUT = 600.0
# A store busy loading (503, 429) or a connection dropped: PUT and DELETE are idempotent.
RETRIES = Retries(3, backoff=2.0)


class PublishFailed(Exception):
    pass


def graph_store(gsp_url: str, base: str) -> SparqlClient:
    """The Graph Store Protocol client: credentials in the URL (basic or digest), retries."""
    return SparqlClient(gsp_url, user_agent(home=base), timeout=REQUEST_TIMEOUT, retries=RETRIES)


def publish(settings: Settings, gsp_url: str, query_url: str, say=lambda _: None) -> Manifest:
    """Load the current build into the store; returns the manifest published."""
    build = settings.current_build.resolve()
    manifest = Manifest.read(build)     # dated by its file: when it was built
    endpoint = store_client(query_url, manifest.base_uri)
    previous = read_manifest(endpoint, manifest.base_uri)
    client = graph_store(gsp_url, manifest.base_uri)
    client.log = say
    try:
        _load(client, build, manifest, say)
        _verify(endpoint, manifest)
        for graph in sorted(set(previous.graphs if previous else ()) - set(manifest.graphs)):
            say(f"DELETE {graph} (no longer in the build)")
            client.delete_graph(graph)
        client.put_graph(publication_graph(manifest.base_uri), ox.serialize(
            publication_triples(manifest), format=ox.RdfFormat.N_TRIPLES))
    except SparqlError as error:
        raise PublishFailed(f"{error} — the previous publication graph is left as it was") \
            from None
    return manifest


def _load(client: SparqlClient, build: Path, manifest: Manifest, say) -> None:
    """Every graph of the build PUT, then the shapes and the validation report beside them."""
    with tempfile.TemporaryDirectory(prefix="territoires-publish-") as scratch:
        files = split_graphs(build / manifest.dumps["nq"]["file"], Path(scratch))
        for graph, count in manifest.graphs.items():
            say(f"PUT {graph} ({count:,} triples)")
            # A graph with no triple has no line in the dump: PUT it empty, so that a previous
            # publication's version of it does not stay behind.
            client.put_graph(graph, files[graph].read_bytes() if graph in files else b"")
    if manifest.shapes:
        say(f"PUT {shapes_graph(manifest.base_uri)} (the shapes)")
        client.put_graph(shapes_graph(manifest.base_uri), (build / manifest.shapes).read_bytes())
    if manifest.validation:
        say(f"PUT {validation_graph(manifest.base_uri)} (the validation report)")
        client.put_graph(validation_graph(manifest.base_uri),
                         (build / manifest.validation).read_bytes())


def split_graphs(nquads: Path, scratch: Path) -> dict[str, Path]:
    """One N-Triples file per named graph of a gzipped N-Quads dump."""
    files, outputs = {}, {}
    try:
        with gzip.open(nquads, "rb") as source:
            for quad in ox.parse(source, format=ox.RdfFormat.N_QUADS):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise PublishFailed(f"{nquads}: a triple outside any named graph: {quad}")
                name = quad.graph_name.value
                if name not in outputs:
                    files[name] = scratch / f"{len(files)}.nt"
                    outputs[name] = open(files[name], "w", encoding="utf-8")
                outputs[name].write(f"{quad.triple} .\n")
    finally:
        for output in outputs.values():
            output.close()
    return files


def _verify(endpoint: SparqlClient, manifest: Manifest) -> None:
    graphs = list(manifest.graphs)
    rows = run_query(endpoint, queries.get("void/graphs").text, [
        *(("named-graph-uri", g) for g in graphs)])
    counted = {row["graph"].value: int(row["triples"].value) for row in rows}
    wrong = {g: (counted.get(g, 0), n) for g, n in manifest.graphs.items()
             if counted.get(g, 0) != n}
    if wrong:
        raise PublishFailed("the store does not hold what was sent: " + "; ".join(
            f"{g}: {got:,} triples, not {n:,}" for g, (got, n) in wrong.items())
            + " — the previous publication graph is left as it was")


def default_query_url(gsp_url: str) -> str | None:
    """Oxigraph's layout: the query endpoint next to the graph store (`/store` → `/query`)."""
    parts = urlsplit(gsp_url)
    if parts.path.endswith("/store"):
        return urlunsplit(parts._replace(path=parts.path[:-len("store")] + "query", query=""))
    return None


def command(args, settings: Settings, say) -> int:
    query_url = args.query_url or default_query_url(args.to)
    if query_url is None:
        print("territoires publish: give --query-url (the store's SPARQL query endpoint)",
              file=sys.stderr)
        return 2
    try:
        manifest = publish(settings, args.to, query_url, say)
    except (PublishFailed, StoreUnavailable, Conflict, SyntaxError) as error:
        print(f"territoires publish: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"territoires publish: no build to publish ({error}); run `territoires build`",
              file=sys.stderr)
        return 1
    print(manifest.version)
    return 0
