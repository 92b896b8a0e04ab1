"""The routes of the lookup package: /search, and the reconciliation API under /reconcile.
Their GET answers are kept for the SPARQL max-age ("lookup"); POST answers never are."""

from __future__ import annotations

from flask import Blueprint

from ..routing import Route, register
from . import reconcile, reconcile_v1, search, suggest

POST = ("POST",)

bp = Blueprint("search", __name__)
register(bp, [Route("/search", search.search_page, "lookup")])

api = Blueprint("reconcile", __name__, url_prefix="/reconcile")
api.register_error_handler(reconcile.BadRequest, reconcile.bad_request)
register(api, [
    Route("", reconcile.service, "lookup", methods=("GET", "POST", "HEAD")),
    Route("/properties", reconcile.proposed_properties, "lookup"),
    Route("/preview", suggest.preview, "lookup"),
    Route("/flyout/entity", suggest.flyout, "lookup"),
    Route("/suggest/entity", suggest.suggest_entity, "lookup"),
    Route("/suggest/type", suggest.suggest_type, "lookup"),
    Route("/suggest/property", suggest.suggest_property, "lookup"),
])

# The 1.0 draft of the protocol, beside the 0.2 one that OpenRefine speaks.
v1 = Blueprint("reconcile_v1", __name__, url_prefix="/reconcile/v1")
v1.register_error_handler(reconcile.BadRequest, reconcile.bad_request)
register(v1, [
    Route("", reconcile_v1.service, "lookup"),
    Route("/match", reconcile_v1.match, "no-store", methods=POST),
    Route("/extend", reconcile_v1.extend_values, "no-store", methods=POST),
    Route("/extend/propose", reconcile_v1.propose, "lookup"),
    Route("/preview", suggest.preview, "lookup"),
    Route("/suggest/entity", suggest.suggest_entity, "lookup"),
    Route("/suggest/type", suggest.suggest_type, "lookup"),
    Route("/suggest/property", suggest.suggest_property, "lookup"),
])

blueprints = (bp, api, v1)
