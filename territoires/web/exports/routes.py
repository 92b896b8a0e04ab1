"""The routes of the exports package:

    /export/territoires-d-industrie.csv            every territory of both phases
    /export/territoires-d-industrie-phase-<n>.csv  the territories of phase n

Answers of kind `document`: made from the build, kept until the next one, with their ETag."""

from __future__ import annotations

import re

from flask import Blueprint

from ...vocabulary import formats
from ..context import store
from ..documents.entities.programme import programme
from ..errors import error_response
from ..http import etag, send
from ..routing import Route, register
from . import territories as csv_territories

bp = Blueprint("exports", __name__)
NAME = re.compile(r"^territoires-d-industrie(?:-phase-([1-9]))?\.csv$")


def territories(name: str):
    match = NAME.match(name)
    live = store()
    found = programme(live)
    if match is None or match.group(1) and int(match.group(1)) not in found.phases():
        return error_response(404, f"Export inconnu / unknown export: {name} (one of "
                                   f"{', '.join(_names(found.phases()))})")
    phase = int(match.group(1)) if match.group(1) else None
    rows = [r for r in found.territories if phase is None or r.number == phase]
    response = send(csv_territories.write(rows), formats.CSV, etag(live.version, "export", name),
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.content_type = "text/csv; charset=utf-8; header=present"
    return response


def _names(phases: list[int]) -> list[str]:
    return ["territoires-d-industrie.csv"] + [f"territoires-d-industrie-phase-{n}.csv"
                                              for n in phases]


register(bp, [
    Route("/export/<name>", territories, "document"),
])
