"""The routes of the exports package:

    /export/territoires-d-industrie.csv            every territory of both phases
    /export/territoires-d-industrie-phase-<n>.csv  the territories of phase n
    /export/<table>/<page>.csv (or .xlsx)          any table of a page (`doc/…`, `def/…`,
                                                   `graph/…`), in the order `<table>-tri` asks

Answers of kind `document`: made from the build, kept until the next one, with their ETag."""

from __future__ import annotations

import re

import pyoxigraph as ox

from flask import Blueprint, request

from ...vocabulary import formats
from ..context import store
from ..answer import Target
from ..context import hosts
from ..documents import entities
from ..documents.entities.programme import programme
from ..documents.kinds import Resource
from ..documents.labels import term_labels
from ..errors import error_response
from ..http import etag, send
from ..routing import Route, register
from . import tables as csv_tables
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


def table(table: str, page: str):
    """A table of the page at `page` as CSV, every row, sorted as the page's parameters say."""
    live = store()
    stem, dot, extension = page.rpartition(".")
    target = _target(live.base, stem) if dot and extension in ("csv", "xlsx") else None
    described = Resource().describe(live, target) if target is not None else None
    if described is None:
        return error_response(404, f"Page inconnue / unknown page: {page[:200]!r} (a page's path, "
                                   f"`doc/…`, ending in .csv or .xlsx)")
    entity = entities.model(live, described.content, hosts(), term_labels(live))
    found = {block.table.id: block.table for block in entity.blocks if block.table is not None}
    if table not in found:
        return error_response(404, f"Tableau inconnu / unknown table: {table[:60]!r} (this page has "
                                   f"{', '.join(sorted(found)) or 'no table'})")
    params = entities.parameters(request.args)
    rows = entities.all_rows(found[table], dict(params), live, hosts())
    name = f"{stem.rsplit('/', 1)[-1]}-{table}.{extension}"
    tag = etag(live.version, "export", table, page, repr(params), hosts().root)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "xlsx":
        return send(csv_tables.write_xlsx(found[table], rows, table), formats.XLSX, tag,
                    headers=disposition)
    response = send(csv_tables.write(found[table], rows), formats.CSV, tag, headers=disposition)
    response.content_type = "text/csv; charset=utf-8; header=present"
    return response


def _target(base: str, stem: str) -> Target | None:
    """The page's document: `doc/X` is about `id/X`; `def/…` and `graph/…` about themselves."""
    first, _, rest = stem.partition("/")
    if not rest or first not in ("doc", "def", "graph"):
        return None
    iri = base + ("id/" + rest if first == "doc" else stem)
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return Target(iri, stem, "id/" + rest if first == "doc" else None)


def _names(phases: list[int]) -> list[str]:
    return ["territoires-d-industrie.csv"] + [f"territoires-d-industrie-phase-{n}.csv"
                                              for n in phases]


register(bp, [
    Route("/export/<name>", territories, "document"),
    Route("/export/<table>/<path:page>", table, "document"),
])
