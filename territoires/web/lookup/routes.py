"""The routes of the lookup package: /search, and the reconciliation API under /reconcile."""

from __future__ import annotations

from flask import Blueprint

from . import reconcile, reconcile_v1, search, suggest

GET = ["GET", "HEAD"]

bp = Blueprint("search", __name__)
bp.add_url_rule("/search", view_func=search.search_page, methods=GET)

api = Blueprint("reconcile", __name__, url_prefix="/reconcile")
api.before_request(reconcile.cacheable_lookup)
api.register_error_handler(reconcile.BadRequest, reconcile.bad_request)
api.add_url_rule("", view_func=reconcile.service, methods=["GET", "POST", "HEAD"])
api.add_url_rule("/properties", view_func=reconcile.proposed_properties, methods=GET)
api.add_url_rule("/preview", view_func=suggest.preview, methods=GET)
api.add_url_rule("/flyout/entity", view_func=suggest.flyout, methods=GET)
api.add_url_rule("/suggest/entity", view_func=suggest.suggest_entity, methods=GET)
api.add_url_rule("/suggest/type", view_func=suggest.suggest_type, methods=GET)
api.add_url_rule("/suggest/property", view_func=suggest.suggest_property, methods=GET)

# The 1.0 draft of the protocol, beside the 0.2 one that OpenRefine speaks.
v1 = Blueprint("reconcile_v1", __name__, url_prefix="/reconcile/v1")
v1.before_request(reconcile.cacheable_lookup)
v1.register_error_handler(reconcile.BadRequest, reconcile.bad_request)
v1.add_url_rule("", view_func=reconcile_v1.service, methods=GET)
v1.add_url_rule("/match", view_func=reconcile_v1.match, methods=["POST"])
v1.add_url_rule("/extend", view_func=reconcile_v1.extend_values, methods=["POST"])
v1.add_url_rule("/extend/propose", view_func=reconcile_v1.propose, methods=GET)
v1.add_url_rule("/preview", view_func=suggest.preview, methods=GET)
v1.add_url_rule("/suggest/entity", view_func=suggest.suggest_entity, methods=GET)
v1.add_url_rule("/suggest/type", view_func=suggest.suggest_type, methods=GET)
v1.add_url_rule("/suggest/property", view_func=suggest.suggest_property, methods=GET)

blueprints = (bp, api, v1)
