"""The routes of the lookup package: /search, and the /reconcile blueprint."""

from __future__ import annotations

from flask import Blueprint

from . import reconcile, search

bp = Blueprint("search", __name__)
bp.add_url_rule("/search", view_func=search.search_page, methods=["GET", "HEAD"])

blueprints = (bp, reconcile.bp)
