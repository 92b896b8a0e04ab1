"""/changes and the patches of the kept versions."""

from __future__ import annotations

import gzip
import json

from flask import Blueprint, Response, render_template, request

from ...vocabulary import formats
from ...build import versions
from ..context import context, hosts, store
from ..errors import error_response

bp = Blueprint("changes", __name__)

OFFERS = [formats.HTML, formats.JSON]


def _kept() -> list[dict]:
    found = versions.kept(context().settings.output_dir)
    live = store().version
    for entry in found:
        entry["live"] = entry["version"] == live
    return found


@bp.route("/changes", methods=["GET", "HEAD"])
def changes():
    fmt = formats.negotiate(OFFERS, request.headers.get("Accept"))
    if request.args.get("format") == "json":
        fmt = formats.JSON
    if fmt is None:
        return error_response(406, "formats: text/html, application/json")
    kept = _kept()
    if fmt is formats.JSON:
        body = [{**{k: v for k, v in entry.items() if k != "patch"},
                 "patch": f"{hosts().root}changes/{entry['version']}.rdfp"
                 if entry["patch"].exists() else None} for entry in kept]
        return Response(json.dumps(body, indent=1), content_type=fmt.content_type,
                        headers={"Vary": "Accept"})
    html = render_template("changes.html", versions=kept, base=store().base,
                           kept=context().settings.versions_kept)
    return Response(html, content_type=fmt.content_type, headers={"Vary": "Accept"})


@bp.route("/changes/<version>.rdfp", methods=["GET", "HEAD"])
def patch(version: str):
    entry = next((e for e in _kept() if e["version"] == version), None)
    if entry is None or not entry["patch"].exists():
        return error_response(404, f"version inconnue ou sans changements / unknown version "
                                   f"or no changes kept: {version}")
    body = gzip.decompress(entry["patch"].read_bytes())
    return Response(body, content_type=versions.PATCH_MEDIA_TYPE + "; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{version}.rdfp"'})
