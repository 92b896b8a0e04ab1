"""The stylesheet and scripts, under names that change when they do: `/static/<digest>/<file>`,
kept a year by any cache (immutable), while `/static/<file>` still answers, briefly cached, for
links made before. Templates name an asset with `asset("style.css")`."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, send_from_directory, url_for

from .caching.policy import cacheable

FOLDER = Path(__file__).parent / "static"
_DIGEST = re.compile(r"[0-9a-f]{12}")

bp = Blueprint("assets", __name__)


@cache
def digest(name: str) -> str:
    """The first 12 hex digits of the file's SHA-256 (read once per process)."""
    return hashlib.sha256((FOLDER / name).read_bytes()).hexdigest()[:12]


def asset(name: str) -> str:
    return url_for("assets.static", path=f"{digest(name)}/{name}")


@bp.route("/static/<path:path>", methods=["GET", "HEAD"])
def static(path: str):
    first, _, rest = path.partition("/")
    if rest and _DIGEST.fullmatch(first):
        if not (FOLDER / rest).is_file() or digest(rest) != first:
            abort(404)
        cacheable("static")
        return send_from_directory(FOLDER, rest)
    cacheable("page")
    return send_from_directory(FOLDER, path)
