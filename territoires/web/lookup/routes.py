"""The routes of the lookup package: /search, and the reconciliation API under /reconcile."""

from __future__ import annotations

from flask import Blueprint

from . import reconcile, search, suggest

GET = ["GET", "HEAD"]

bp = Blueprint("search", __name__)
bp.add_url_rule("/search", view_func=search.search_page, methods=GET)

api = Blueprint("reconcile", __name__, url_prefix="/reconcile")
api.before_request(reconcile.cacheable_lookup)
api.register_error_handler(reconcile.BadRequest, reconcile.bad_request)
api.add_url_rule("", view_func=reconcile.service, methods=["GET", "POST", "HEAD"])
api.add_url_rule("/preview", view_func=suggest.preview, methods=GET)
api.add_url_rule("/flyout/entity", view_func=suggest.flyout, methods=GET)
api.add_url_rule("/suggest/entity", view_func=suggest.suggest_entity, methods=GET)
api.add_url_rule("/suggest/type", view_func=suggest.suggest_type, methods=GET)
api.add_url_rule("/suggest/property", view_func=suggest.suggest_property, methods=GET)

blueprints = (bp, api)
