"""/changes and the patches of the kept versions. The list of changes is a document kind of the
one answer path (web/answer.py): negotiated (HTML or JSON, or `?format=json`), with its ETag,
its Cache-Control and its 304; a patch is a file of the version it made. The first kept version
has no version before it: its patch adds its whole dump (streamed from the build's N-Quads,
never held in memory: about 120 MB on the whole data)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from flask import Blueprint, Response, render_template, request

from ...vocabulary import formats
from ...build import versions
from ...store import Store
from ..answer import Described, Target, answer
from ..context import context, store
from ..errors import error_response
from ..hosts import HostMap
from ..http import etag, send
from ..routing import Route, register

bp = Blueprint("changes", __name__)

OFFERS = (formats.HTML, formats.JSON)
PATCH = formats.Format("rdfp", versions.PATCH_MEDIA_TYPE, "RDF Patch")


def _kept() -> list[dict]:
    output = context().settings.output_dir
    found = versions.kept(output)
    live = store().version
    for entry in found:
        entry["live"] = entry["version"] == live
        entry["dump"] = output / "builds" / entry["build"] / versions.DUMP
        entry["downloadable"] = _patched(entry) or _first(entry)
    return found


def _patched(entry: dict) -> bool:
    """The version has the patch its build wrote (the change since the version before)."""
    return entry["patch"].exists()


def _first(entry: dict) -> bool:
    """The first version kept: recorded with no version before it, its dump is its change."""
    changes = entry["changes"]
    return changes is not None and changes.get("previous") is None and entry["dump"].exists()


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
        body = [{**{k: v for k, v in entry.items()
                    if k not in ("patch", "dump", "downloadable")},
                 "patch": f"{host.root}changes/{entry['version']}.rdfp"
                 if entry["downloadable"] else None}
                for entry in described.content]
        return json.dumps(body, indent=1).encode()


def changes():
    named = formats.JSON if request.args.get("format") == "json" else None
    choice = formats.choose(OFFERS, request.accept_mimetypes, named)
    # No URL per format (?format=json is a parameter): no alternates, no Content-Location.
    return answer(Target(store().base + "changes", "changes", addressed=False), Changes(), choice)


def patch(version: str):
    entry = next((e for e in _kept() if e["version"] == version), None)
    if entry is None or not entry["downloadable"]:
        return error_response(404, f"version inconnue ou sans changements / unknown version "
                                   f"or no changes kept: {version}")
    disposition = {"Content-Disposition": f'attachment; filename="{version}.rdfp"'}
    if _patched(entry):
        body = gzip.decompress(entry["patch"].read_bytes())
        response = send(body, PATCH, etag(version, "patch"), disposition)
    else:
        response = Response(_everything_added(version, entry["dump"]), headers=disposition)
        response.set_etag(etag(version, "patch"))
        response = response.make_conditional(request)
    response.content_type = PATCH.media_type + "; charset=utf-8"   # RDF Patch is UTF-8 text
    return response


def _everything_added(version: str, dump: Path, chunk: int = 1 << 16):
    """The RDF Patch of a first version: one transaction adding every quad of its dump (no
    `H prev`: no version came before it)."""
    yield b"H id " + versions.urn(version).encode() + b" .\nTX .\n"
    with gzip.open(dump, "rb") as quads:
        pending: list[bytes] = []
        size = 0
        for line in quads:
            pending.append(b"A " + (line if line.endswith(b"\n") else line + b"\n"))
            size += len(line)
            if size >= chunk:
                yield b"".join(pending)
                pending, size = [], 0
        yield b"".join(pending) + b"TC .\n"


register(bp, [
    Route("/changes", changes, "document"),
    Route("/changes/<version>.rdfp", patch, "document"),
])
