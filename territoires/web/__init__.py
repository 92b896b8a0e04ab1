"""The web front end, one package per protocol, stateless apart from per-build caches (so that
several instances can stand behind a load balancer):

    app.py, context.py, errors.py   the application factory; its state, reached one way; errors
    hosts.py, http.py               the requesting host ↔ the canonical base; ETag and Link
    sparql/       the SPARQL 1.1 endpoint: protocol, guard, answers, service description, page
    documents/    linked-data documents: /id/ → /doc/, /def/, /graph/, /shapes/, negotiated
    lookup/       the name index, /search and the reconciliation service
    metadata/     the dataset as a whole: home page, dumps, VoID, DCAT catalogue
    caching/      byte-bounded LRU, values held per build, whole responses

A request flows one way: app → a package's routes → the store (territoires/store) → a view →
a template.
"""

from .app import create_app

__all__ = ["create_app"]
