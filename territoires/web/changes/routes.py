"""/changes and the patches of the kept versions. The list of changes is a document kind of the
one answer path (web/answer.py): negotiated (HTML or JSON, or `?format=json`), with its ETag,
its Cache-Control and its 304; a patch is a file of the version it made."""

from __future__ import annotations

import gzip
import json

from flask import Blueprint, render_template, request

from ...vocabulary import formats
from ...build import versions
from ...store import Store
from ..answer import Described, Target, answer
from ..context import context, hosts, store
from ..errors import error_response
from ..hosts import HostMap
from ..http import etag, send
from ..routing import Route, register

bp = Blueprint("changes", __name__)

OFFERS = (formats.HTML, formats.JSON)
PATCH = formats.Format("rdfp", versions.PATCH_MEDIA_TYPE, "RDF Patch")


def _kept() -> list[dict]:
    found = versions.kept(context().settings.output_dir)
    live = store().version
    for entry in found:
        entry["live"] = entry["version"] == live
    return found


class Changes:
    """The kept versions, newest first, with what changed since the version before. They change
    only when a build is published, so the build's version keys their cache and ETag."""

    def describe(self, live: Store, target: Target) -> Described:
        return Described([], _kept())

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        return render_template("changes.html", versions=described.content, base=live.base,
                               kept=context().settings.versions_kept)

    def data(self, described: Described, fmt: formats.Format, live: Store, target: Target,
             host: HostMap) -> bytes:
        body = [{**{k: v for k, v in entry.items() if k != "patch"},
                 "patch": f"{host.root}changes/{entry['version']}.rdfp"
                 if entry["patch"].exists() else None} for entry in described.content]
        return json.dumps(body, indent=1).encode()


def changes():
    named = formats.JSON if request.args.get("format") == "json" else None
    choice = formats.choose(OFFERS, request.accept_mimetypes, named)
    # No URL per format (?format=json is a parameter): no alternates, no Content-Location.
    return answer(Target(store().base + "changes", "changes", addressed=False), Changes(), choice)


def patch(version: str):
    entry = next((e for e in _kept() if e["version"] == version), None)
    if entry is None or not entry["patch"].exists():
        return error_response(404, f"version inconnue ou sans changements / unknown version "
                                   f"or no changes kept: {version}")
    body = gzip.decompress(entry["patch"].read_bytes())
    response = send(body, PATCH, etag(version, "patch"),
                    {"Content-Disposition": f'attachment; filename="{version}.rdfp"'})
    response.content_type = PATCH.media_type + "; charset=utf-8"   # RDF Patch is UTF-8 text
    return response


register(bp, [
    Route("/changes", changes, "document"),
    Route("/changes/<version>.rdfp", patch, "document"),
])
