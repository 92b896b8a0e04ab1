"""Dereferenceable URIs. A request for path P is about `BASE + P` (the base of the build
served), whatever host it came on:

    /id/…       a thing → 303 See Other to /doc/… (its document)
    /doc/…      the document about /id/…, negotiated, or named by an extension (.ttl .nt .jsonld
                .rdf .nq .trig .html)
    /def/…      the ontology (`/def/territoires`: the whole ontology graph) and its concepts
    /graph/…    the named graphs' descriptions
    /shapes/…   the SHACL shapes the build was validated with

The last three are documents themselves (hash or slash vocabularies), negotiated in place.
"""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request

from ...vocabulary import formats
from ...vocabulary.formats import split_extension
from ..caching.policy import cacheable
from ..caching.responses import keep
from ..context import hosts, store
from ..errors import error_response
from .answer import Target, answer, not_found_page
from .entities import parameters
from .kinds import ONTOLOGY, SHAPES, Nothing, Ontology, Resource, Shapes

bp = Blueprint("documents", __name__)


def _names_something(iri: str) -> bool:
    """Whether the IRI is valid (a path that makes no IRI names nothing, and can never be
    bound into a query) and named by a triple."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return store().exists(iri)


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str):
    keep()
    cacheable("redirect")
    if not _names_something(store().base + "id/" + rest):
        if formats.negotiate(formats.ERRORS, request.accept_mimetypes) is formats.HTML:
            return Response(not_found_page(store().base + "id/" + rest), status=404,
                            content_type=formats.HTML.content_type)
        return error_response(404, f"Ressource inconnue / unknown resource: {rest}")
    location = f"{hosts().root}doc/{rest}"
    response = redirect(location, code=303)
    response.headers["Link"] = f'<{location}>; rel="describedby"'
    return response


@bp.route("/doc/<path:rest>", methods=["GET", "HEAD"])
def document(rest: str):
    stem, fmt = split_extension(rest)
    return _resource(Target(store().base + "id/" + stem, f"doc/{stem}", f"id/{stem}",
                            parameters(request.args)), fmt)


@bp.route("/def/<path:rest>", methods=["GET", "HEAD"])
def definition(rest: str):
    stem, fmt = split_extension(rest)
    target = Target(store().base + f"def/{stem}", f"def/{stem}")
    if target.path == ONTOLOGY:
        return answer(target, fmt, Ontology())
    return _resource(replace(target, view=parameters(request.args)), fmt)


@bp.route("/graph/<path:rest>", methods=["GET", "HEAD"])
def graph(rest: str):
    stem, fmt = split_extension(rest)
    return _resource(Target(store().base + f"graph/{stem}", f"graph/{stem}",
                            view=parameters(request.args)), fmt)


@bp.route("/shapes/<path:rest>", methods=["GET", "HEAD"])
def shapes(rest: str):
    stem, fmt = split_extension(rest)
    target = Target(store().base + f"shapes/{stem}", f"shapes/{stem}")
    return answer(target, fmt, Shapes() if target.path == SHAPES else Nothing())


def _resource(target: Target, fmt):
    try:
        ox.NamedNode(target.iri)
    except ValueError:
        return answer(target, fmt, Nothing())
    return answer(target, fmt, Resource())
