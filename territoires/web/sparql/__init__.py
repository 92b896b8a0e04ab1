"""SPARQL: the public query endpoint and its page.

    routes.py      /sparql and /requete
    protocol.py    reading a request of the SPARQL 1.1 Protocol
    guard.py       lexical checks before any engine sees a query (read-only, no outbound request)
    endpoint.py    answering it: negotiation, the result cache, the store's answer, errors
    service.py     the Service Description
    page.py, examples.py   the query page and the example queries it offers
"""

from .routes import bp

blueprints = (bp,)
