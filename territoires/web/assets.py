"""The stylesheet and scripts, under names that change when they do: `/static/<digest>/<file>`,
kept a year by any cache (immutable), while `/static/<file>` still answers, briefly cached, for
links made before. Templates name an asset with `asset("style.css")`.

Vendored third-party files (vendor/<name>/, kept unmodified with their licence) are assets too,
named `<name>/<file>`: `asset("yasgui/yasgui.min.js")`.

Only the files the project ships are served: an index of them (name → file, digest, content
type) is made once, when this module is loaded, and a request names an entry of it or is
answered 404 without the file system being asked. A path is never joined to a folder, so no
name (`yasgui//etc/passwd`, `../config.py`, `/proc/self/mem`) can reach another file, and
nothing a client sends can make the index or a cache grow."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, request, send_file, url_for

from ..config import ROOT
from .caching.policy import cacheable
from .routing import Route, register
from .compression import MIN_BYTES, choose, compress, compressible

FOLDER = Path(__file__).parent / "static"
# Vendored folders served as assets, by the name that prefixes their files, and which of their
# files are assets (their licence and SOURCE.md are read in the repository, not served).
VENDORED = {"yasgui": ROOT / "vendor" / "yasgui"}
VENDORED_SUFFIXES = (".css", ".js")

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Shipped:
    """One file the project serves."""
    path: Path
    digest: str          # the first 12 hex digits of its SHA-256
    content_type: str


def _shipped(path: Path) -> Shipped:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Shipped(path, hashlib.sha256(path.read_bytes()).hexdigest()[:12], kind)


def _files(folder: Path, suffixes: tuple[str, ...] | None) -> list[Path]:
    """The regular files under `folder` (a symbolic link is no file the project ships)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                  and (suffixes is None or p.suffix in suffixes))


def shipped_files() -> dict[str, Shipped]:
    """Every asset by its name: `style.css`, `yasgui/yasgui.min.js`."""
    index = {p.relative_to(FOLDER).as_posix(): _shipped(p) for p in _files(FOLDER, None)}
    for prefix, folder in VENDORED.items():
        for path in _files(folder, VENDORED_SUFFIXES):
            index[f"{prefix}/{path.relative_to(folder).as_posix()}"] = _shipped(path)
    return index


SHIPPED = shipped_files()


def asset(name: str) -> str:
    return url_for("assets.static", path=f"{SHIPPED[name].digest}/{name}")


def static(path: str):
    first, _, rest = path.partition("/")
    fingerprinted = SHIPPED.get(rest)
    if fingerprinted is not None and fingerprinted.digest == first:
        cacheable("static")
        return _send(rest, fingerprinted)
    if path in SHIPPED:
        cacheable("page")   # a link made before the fingerprints: kept until the next build
        return send_file(SHIPPED[path].path, mimetype=SHIPPED[path].content_type)
    abort(404)


def _send(name: str, file: Shipped) -> Response:
    coding = choose(request.headers.get("Accept-Encoding"))
    encoded = _encoded(name, coding) if coding != "identity" else None
    if encoded is None:
        return send_file(file.path, mimetype=file.content_type, etag=file.digest)
    response = Response(encoded, mimetype=file.content_type)
    response.headers["Content-Encoding"] = coding
    response.set_etag(f"{file.digest}-{coding}")
    return response


@cache
def _encoded(name: str, coding: str) -> bytes | None:
    """A fingerprinted asset compressed once per process and encoding, not once per request
    (Brotli takes 0.14 s over the 1 MB editor): None when it is not worth compressing. Called
    only with a name of the index and one of two encodings, so it holds at most twice the
    index."""
    file = SHIPPED[name]
    data = file.path.read_bytes()
    worth = compressible(file.content_type) and len(data) >= MIN_BYTES
    return compress(data, coding) if worth else None


def favicon():
    """Browsers and crawlers that ask for /favicon.ico before reading a page's <link rel="icon">
    are sent to the SVG icon, instead of a 404 per page."""
    return redirect(asset("favicon.svg"), 301)


# A fingerprinted file is "static" (the view says so); any other, kept until the next build.
register(bp, [Route("/static/<path:path>", static, "page"),
              Route("/favicon.ico", favicon, "page")])
