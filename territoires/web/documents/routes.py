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
from flask import Blueprint, Response, request

from ...vocabulary import formats
from ...vocabulary.formats import Format, split_extension
from ..answer import Kind, Target, answer, not_found_page, see_other
from ..caching.responses import keep
from ..context import hosts, store
from ..errors import error_response
from ..routing import Route, register
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


def thing(rest: str):
    keep()
    if not _names_something(store().base + "id/" + rest):
        if formats.negotiate(formats.ERRORS, request.accept_mimetypes) is formats.HTML:
            return Response(not_found_page(store().base + "id/" + rest), status=404,
                            content_type=formats.HTML.content_type)
        return error_response(404, f"Ressource inconnue / unknown resource: {rest}")
    location = f"{hosts().root}doc/{rest}"
    return see_other(location, Resource(), Target(store().base + "id/" + rest, f"doc/{rest}",
                                                   f"id/{rest}"),
                     links=[(location, "describedby", None)])


def document(rest: str):
    stem, fmt = split_extension(rest)
    return _resource(Target(store().base + "id/" + stem, f"doc/{stem}", f"id/{stem}",
                            parameters(request.args)), fmt)


def definition(rest: str):
    stem, fmt = split_extension(rest)
    target = Target(store().base + f"def/{stem}", f"def/{stem}")
    if target.path == ONTOLOGY:
        return _answer(target, fmt, Ontology())
    return _resource(replace(target, view=parameters(request.args)), fmt)


def graph(rest: str):
    stem, fmt = split_extension(rest)
    return _resource(Target(store().base + f"graph/{stem}", f"graph/{stem}",
                            view=parameters(request.args)), fmt)


def shapes(rest: str):
    stem, fmt = split_extension(rest)
    target = Target(store().base + f"shapes/{stem}", f"shapes/{stem}")
    return _answer(target, fmt, Shapes() if target.path == SHAPES else Nothing())


def _resource(target: Target, fmt: Format | None):
    try:
        ox.NamedNode(target.iri)
    except ValueError:
        return _answer(target, fmt, Nothing())
    return _answer(target, fmt, Resource())


def _answer(target: Target, named: Format | None, kind: Kind):
    """A document in the format its extension names, else in the one Accept prefers."""
    return answer(target, kind, formats.choose(formats.DOCUMENTS, request.accept_mimetypes,
                                               named))


register(bp, [
    Route("/id/<path:rest>", thing, "redirect"),
    Route("/doc/<path:rest>", document, "document"),
    Route("/def/<path:rest>", definition, "document"),
    Route("/graph/<path:rest>", graph, "document"),
    Route("/shapes/<path:rest>", shapes, "document"),
])
