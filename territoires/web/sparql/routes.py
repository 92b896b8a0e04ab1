"""The routes of the SPARQL package, each with what its answers may be kept for (a GET's answer
of our own data until the next build; endpoint.py says `no_store` for one that reaches another
endpoint, and POST answers are never kept)."""

from __future__ import annotations

from flask import Blueprint

from ..routing import Route, register
from . import endpoint, page

bp = Blueprint("sparql", __name__)
register(bp, [
    # Every answer of /sparql read Accept: it chose the editor page or the results, and their format.
    Route("/sparql", endpoint.endpoint, "sparql", methods=("GET", "POST"), vary=("Accept",)),
    Route("/requete", page.query_page, "page"),
    Route("/requete/prefixes.json", page.prefix_list, "page"),
])
