"""The routes of the SPARQL package."""

from __future__ import annotations

from flask import Blueprint

from . import endpoint, page

bp = Blueprint("sparql", __name__)
bp.add_url_rule("/sparql", view_func=endpoint.endpoint, methods=["GET", "POST"])
bp.add_url_rule("/requete", view_func=page.query_page, methods=["GET", "HEAD"])
bp.add_url_rule("/requete/prefixes.json", view_func=page.prefix_list, methods=["GET", "HEAD"])
