"""The routes of the metadata package:

    /                        the home page
    /dump/, /dump/<file>     the build's dumps
    /.well-known/void[.ext]  VoID, negotiated (Turtle for machines that say nothing, HTML for
    /catalogue[.ext]         DCAT  browsers, and every other RDF format)
    /validation[.ext]        the build's SHACL report and its DQV summary, negotiated alike
    /robots.txt, /sitemap.xml, /sitemap-<n>.xml   for crawlers
"""

from __future__ import annotations

from flask import Blueprint

from ...vocabulary import formats
from ..context import store
from ..documents.answer import Kind, Target, answer
from ..errors import error_response
from . import crawlers, dcat, dumps, home, validation, void

bp = Blueprint("metadata", __name__)
bp.add_url_rule("/", view_func=home.home, methods=["GET", "HEAD"])
bp.add_url_rule("/dump/", view_func=dumps.index, endpoint="dumps", methods=["GET", "HEAD"])
bp.add_url_rule("/dump/<name>", view_func=dumps.dump, methods=["GET", "HEAD"])
bp.add_url_rule("/robots.txt", view_func=crawlers.robots, methods=["GET", "HEAD"])
bp.add_url_rule("/sitemap.xml", view_func=crawlers.sitemap, methods=["GET", "HEAD"])
bp.add_url_rule("/sitemap-<int:number>.xml", view_func=crawlers.sitemap_page,
                methods=["GET", "HEAD"])


@bp.route("/.well-known/void", endpoint="void", methods=["GET", "HEAD"])
@bp.route("/.well-known/void.<ext>", endpoint="void", methods=["GET", "HEAD"])
def void_description(ext: str | None = None):
    return _described(void.PATH, ext, void.VoID())


@bp.route("/catalogue", methods=["GET", "HEAD"])
@bp.route("/catalogue.<ext>", methods=["GET", "HEAD"])
def catalogue(ext: str | None = None):
    return _described(dcat.PATH, ext, dcat.Catalogue())


@bp.route("/validation", methods=["GET", "HEAD"])
@bp.route("/validation.<ext>", methods=["GET", "HEAD"])
def validation_report(ext: str | None = None):
    return _described(validation.PATH, ext, validation.ValidationReport())


def _described(path: str, ext: str | None, kind: Kind):
    fmt = None
    if ext is not None:
        _, fmt = formats.split_extension(f"{path}.{ext}")
        if fmt is None:
            return error_response(404, f"Format inconnu / unknown format: .{ext}")
    return answer(Target(store().base + path, path), fmt, kind)
