"""The routes of the metadata package:

    /                        the home page
    /dump/, /dump/<file>     the build's dumps
    /.well-known/void[.ext]  VoID, negotiated (Turtle for machines that say nothing, HTML for
    /catalogue[.ext]         DCAT  browsers, and every other RDF format)
    /validation[.ext]        the build's SHACL report and its DQV summary, negotiated alike
    /robots.txt, /sitemap.xml, /sitemap-<n>.xml   for crawlers
"""

from __future__ import annotations

from flask import Blueprint, request

from ...vocabulary import formats
from ..answer import Kind, Target, answer
from ..context import store
from ..errors import error_response
from ..routing import Route, register
from . import crawlers, dcat, dumps, home, validation, void

bp = Blueprint("metadata", __name__)


def void_description(ext: str | None = None):
    return _described(void.PATH, ext, void.VoID())


def catalogue(ext: str | None = None):
    return _described(dcat.PATH, ext, dcat.Catalogue())


def validation_report(ext: str | None = None):
    return _described(validation.PATH, ext, validation.ValidationReport())


def _described(path: str, ext: str | None, kind: Kind):
    named = None
    if ext is not None:
        _, named = formats.split_extension(f"{path}.{ext}")
        if named is None:
            return error_response(404, f"Format inconnu / unknown format: .{ext}")
    choice = formats.choose(formats.DOCUMENTS, request.accept_mimetypes, named)
    return answer(Target(store().base + path, path), kind, choice)


register(bp, [
    Route("/", home.home, "page"),
    Route("/dump/", dumps.index, "page", endpoint="dumps"),
    Route("/dump/<name>", dumps.dump, "document"),
    Route("/robots.txt", crawlers.robots, "page"),
    Route("/sitemap.xml", crawlers.sitemap, "page"),
    Route("/sitemap-<int:number>.xml", crawlers.sitemap_page, "page"),
    Route("/.well-known/void", void_description, "document", endpoint="void"),
    Route("/.well-known/void.<ext>", void_description, "document", endpoint="void"),
    Route("/catalogue", catalogue, "document"),
    Route("/catalogue.<ext>", catalogue, "document"),
    Route("/validation", validation_report, "document"),
    Route("/validation.<ext>", validation_report, "document"),
])
