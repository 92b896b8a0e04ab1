"""The web front end, one package per protocol, stateless apart from per-build caches (so that
several instances can stand behind a load balancer):

    app.py, context.py, errors.py   the application factory; its state, reached one way; errors
    routing.py      route tables: every route declared with its cache kind (caching/policy.py)
    answer.py       the one answer path of every document kind: format (negotiated by
                    vocabulary/formats.py, with the Vary it implies), 404/406, Link,
                    Content-Location, ETag and 304, the cache of rendered documents
    hosts.py, http.py               the requesting host ↔ the canonical base; ETag and Link
    compression.py, assets.py       gzip/Brotli for text answers; fingerprinted static files
    gunicorn.py     the production server's settings and workers
    sparql/       the SPARQL 1.1 endpoint: protocol, guard, answers, service description, page
    documents/    linked-data documents: /id/ → /doc/, /def/, /graph/, /shapes/ (their kinds,
                  views, labels; entities/: the pages written for people)
    lookup/       the name index, /search and the reconciliation service
    metadata/     the dataset as a whole: home page, dumps, VoID, DCAT, /validation, crawlers
    memento/      Memento (RFC 7089) over the vintages: TimeGate, TimeMaps, mementos
    changes/      /changes: the kept versions and their RDF Patches
    caching/      Cache-Control per kind, byte-bounded LRU, values held per build, whole
                  responses (shared between workers)

Each package lists its routes in one table (its routes.py). A request flows one way: app → a
package's routes → a kind of document → the store (territoires/store) → a view → a template,
and back through answer.py.
"""

from .app import create_app

__all__ = ["create_app"]
