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
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from .. import queries
from ..config import Settings
from . import Conflict, Manifest, StoreUnavailable
from .remote import (Endpoint, publication_graph, publication_triples, read_manifest, shapes_graph,
    validation_graph)

REQUEST_TIMEOUT = 600.0


class PublishFailed(Exception):
    pass


def publish(settings: Settings, gsp_url: str, query_url: str, say=lambda _: None) -> Manifest:
    """Load the current build into the store; returns the manifest published."""
    build = settings.current_build.resolve()
    manifest = Manifest.read(build)     # dated by its file: when it was built
    endpoint = Endpoint(query_url)
    previous = read_manifest(endpoint, manifest.base_uri)
    client = GraphStoreClient(gsp_url)
    with tempfile.TemporaryDirectory(prefix="territoires-publish-") as scratch:
        files = split_graphs(build / manifest.dumps["nq"]["file"], Path(scratch))
        for graph, count in manifest.graphs.items():
            say(f"PUT {graph} ({count:,} triples)")
            client.put(graph, files[graph].read_bytes())
    if manifest.shapes:
        say(f"PUT {shapes_graph(manifest.base_uri)} (the shapes)")
        client.put(shapes_graph(manifest.base_uri), (build / manifest.shapes).read_bytes())
    if manifest.validation:
        say(f"PUT {validation_graph(manifest.base_uri)} (the validation report)")
        client.put(validation_graph(manifest.base_uri),
                   (build / manifest.validation).read_bytes())
    _verify(endpoint, manifest)
    for graph in sorted(set(previous.graphs if previous else ()) - set(manifest.graphs)):
        say(f"DELETE {graph} (no longer in the build)")
        client.delete(graph)
    client.put(publication_graph(manifest.base_uri),
               ox.serialize(publication_triples(manifest), format=ox.RdfFormat.N_TRIPLES))
    return manifest


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


def _verify(endpoint: Endpoint, manifest: Manifest) -> None:
    graphs = list(manifest.graphs)
    rows = endpoint.query(queries.get("void/graphs").text, [
        *(("named-graph-uri", g) for g in graphs)])
    counted = {row["graph"].value: int(row["triples"].value) for row in rows}
    wrong = {g: (counted.get(g, 0), n) for g, n in manifest.graphs.items()
             if counted.get(g, 0) != n}
    if wrong:
        raise PublishFailed("the store does not hold what was sent: " + "; ".join(
            f"{g}: {got:,} triples, not {n:,}" for g, (got, n) in wrong.items())
            + " — the previous publication graph is left as it was")


class GraphStoreClient:
    """SPARQL 1.1 Graph Store Protocol writes; credentials may be in the URL (basic or digest)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        handlers = []
        if parts.username:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.url, unquote(parts.username),
                                   unquote(parts.password or ""))
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords),
                        urllib.request.HTTPDigestAuthHandler(passwords)]
        self.opener = urllib.request.build_opener(*handlers)

    def put(self, graph: str, body: bytes) -> None:
        self._send("PUT", graph, body)

    def delete(self, graph: str) -> None:
        self._send("DELETE", graph, None, missing_ok=True)

    def _send(self, method: str, graph: str, body: bytes | None, missing_ok: bool = False) -> None:
        separator = "&" if "?" in self.url else "?"
        url = f"{self.url}{separator}graph={quote(graph, safe='')}"
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                response.read()
        except urllib.error.HTTPError as error:
            if not (missing_ok and error.code == 404):
                detail = error.read()[:500].decode("utf-8", "replace").strip()
                raise PublishFailed(f"{method} {url}: {error.code} {detail}") from None
        except OSError as error:
            raise PublishFailed(f"{method} {url}: {error}") from None


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
