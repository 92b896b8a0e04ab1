"""The rdflib-endpoint peer: `python -m bench.rdflib_server DUMP.nq.gz HOST PORT` loads the N-Quads
into an rdflib Dataset whose default graph is the union of the named graphs, and serves it with
rdflib-endpoint (FastAPI) under uvicorn, as its README shows. Run by the suite in a subprocess."""

from __future__ import annotations

import gzip
import sys


def main() -> None:
    dump, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    with gzip.open(dump, "rb") as source:
        dataset.parse(source, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", title="territoires (rdflib-endpoint)",
                         cors_enabled=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
