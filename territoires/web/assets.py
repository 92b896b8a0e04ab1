"""The stylesheet and scripts, under names that change when they do: `/static/<digest>/<file>`,
kept a year by any cache (immutable), while `/static/<file>` still answers, briefly cached, for
links made before. Templates name an asset with `asset("style.css")`.

Vendored third-party files (vendor/<name>/, kept unmodified with their licence) are assets too,
named `<name>/<file>`: `asset("yasgui/yasgui.min.js")`."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_from_directory, url_for

from ..config import ROOT
from .caching.policy import cacheable
from .routing import Route, register
from .compression import MIN_BYTES, choose, compress, compressible

FOLDER = Path(__file__).parent / "static"
# Vendored folders served as assets, by the name that prefixes their files.
VENDORED = {"yasgui": ROOT / "vendor" / "yasgui"}
_DIGEST = re.compile(r"[0-9a-f]{12}")

bp = Blueprint("assets", __name__)


def located(name: str) -> tuple[Path, str]:
    """The folder an asset is in and its name there: `static/` or a vendored folder."""
    first, _, rest = name.partition("/")
    if rest and first in VENDORED:
        return VENDORED[first], rest
    return FOLDER, name


@cache
def digest(name: str) -> str:
    """The first 12 hex digits of the file's SHA-256 (read once per process)."""
    folder, file = located(name)
    return hashlib.sha256((folder / file).read_bytes()).hexdigest()[:12]


def asset(name: str) -> str:
    return url_for("assets.static", path=f"{digest(name)}/{name}")


def static(path: str):
    first, _, rest = path.partition("/")
    if rest and _DIGEST.fullmatch(first):
        folder, file = located(rest)
        if ".." in file.split("/") or not (folder / file).is_file() or digest(rest) != first:
            abort(404)
        cacheable("static")
        coding = choose(request.headers.get("Accept-Encoding"))
        encoded = _encoded(folder / file, coding) if coding != "identity" else None
        if encoded is None:
            return send_from_directory(folder, file)
        response = Response(encoded, mimetype=mimetypes.guess_type(file)[0])
        response.headers["Content-Encoding"] = coding
        response.set_etag(f"{first}-{coding}")
        return response
    cacheable("page")
    return send_from_directory(*located(path))


@cache
def _encoded(path: Path, coding: str) -> bytes | None:
    """A fingerprinted asset compressed once per process and encoding, not once per request
    (Brotli takes 0.14 s over the 1 MB editor): None when it is not worth compressing."""
    kind = mimetypes.guess_type(path.name)[0] or ""
    data = path.read_bytes()
    return compress(data, coding) if compressible(kind) and len(data) >= MIN_BYTES else None


# A fingerprinted file is "static" (the view says so); any other, kept until the next build.
register(bp, [Route("/static/<path:path>", static, "page")])
