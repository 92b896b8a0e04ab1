"""The TimeGate, the TimeMaps and the mementos (RFC 7089, pattern 2: the original resource
points at a distinct TimeGate), and the Link headers that lead to them."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request

from ...vocabulary.namespaces import Vocabulary
from ...vocabulary.formats import DOCUMENTS, negotiate, serialize, split_extension
from ..context import hosts, store
from ..errors import error_response
from . import state
from .times import BadDatetime, accept_datetime, choose, http_date

bp = Blueprint("memento", __name__)

LINK_FORMAT = "application/link-format"
# The kinds of resource that have a history (the path after id/ or doc/).
KINDS = ("commune/", "commune-deleguee/", "commune-associee/", "arrondissement-municipal/",
         "epci/", "territoire/")
OFFERS = [f for f in DOCUMENTS if f.rdf is not None]


def _years(rest: str) -> list[int]:
    """The resource's vintages; empty for an IRI that names nothing with a history."""
    if not rest.startswith("id/") or not rest[3:].startswith(KINDS):
        return []
    try:
        iri = ox.NamedNode(store().base + rest).value
    except ValueError:
        return []
    return state.years(store(), iri)


def _links(rest: str, years: list[int], chosen: int | None = None) -> list[str]:
    root = hosts().root
    links = [f'<{root}{rest}>; rel="original"', f'<{root}timegate/{rest}>; rel="timegate"',
             f'<{root}timemap/{rest}>; rel="timemap"; type="{LINK_FORMAT}"']
    for year in years:
        rels = ["memento"]
        if year == years[0]:
            rels.insert(0, "first")
        if year == years[-1]:
            rels.insert(0, "last")
        if chosen is None or year == chosen or len(rels) > 1:   # the map: all; else a few
            links.append(f'<{root}memento/{year}/{rest}>; rel="{" ".join(rels)}"; '
                         f'datetime="{http_date(year)}"')
    return links


def _no_history(rest: str):
    return error_response(404, f"pas d'historique / no history for: {rest}")


@bp.route("/timegate/<path:rest>", methods=["GET", "HEAD"])
def timegate(rest: str):
    years = _years(rest)
    if not years:
        return _no_history(rest)
    try:
        header = request.headers.get("Accept-Datetime")
        chosen = choose(years, accept_datetime(header) if header else None)
    except BadDatetime as error:
        return error_response(400, str(error))
    response = redirect(f"{hosts().root}memento/{chosen}/{rest}", code=302)
    response.headers["Vary"] = "accept-datetime"
    response.headers["Link"] = ", ".join(_links(rest, years, chosen))
    return response


@bp.route("/timemap/<path:rest>", methods=["GET", "HEAD"])
def timemap(rest: str):
    years = _years(rest)
    if not years:
        return _no_history(rest)
    links = _links(rest, years)
    links[2] = (f'<{hosts().root}timemap/{rest}>; rel="self"; type="{LINK_FORMAT}"; '
                f'from="{http_date(years[0])}"; until="{http_date(years[-1])}"')
    return Response(",\n".join(links) + "\n", content_type=LINK_FORMAT)


@bp.route("/memento/<int:year>/<path:rest>", methods=["GET", "HEAD"])
def memento(year: int, rest: str):
    stem, fmt = split_extension(rest)
    years = _years(stem)
    if year not in years:
        return error_response(404, f"pas de mémento {year} / no memento {year} for: {stem}")
    fmt = fmt or negotiate(OFFERS, request.headers.get("Accept"))
    if fmt is None or fmt.rdf is None:
        return error_response(406, "formats: " + ", ".join(f.media_type for f in OFFERS))
    body = serialize(state.quads(store(), store().base + stem, year), fmt,
                     Vocabulary(store().base).prefixes())
    response = Response(body, content_type=fmt.content_type)
    response.headers["Memento-Datetime"] = http_date(year)
    response.headers["Link"] = ", ".join(_links(stem, years, year))
    response.headers["Vary"] = "Accept"
    return response


@bp.after_app_request
def original_links(response: Response) -> Response:
    """An original resource with a history says where its TimeGate and TimeMap are."""
    path = request.path.lstrip("/")
    if response.status_code not in (200, 303) or not path.startswith(("id/", "doc/")):
        return response
    stem = "id/" + split_extension(path.split("/", 1)[1])[0]
    if not stem[3:].startswith(KINDS):
        return response
    root = hosts().root
    extra = (f'<{root}timegate/{stem}>; rel="timegate", '
             f'<{root}timemap/{stem}>; rel="timemap"; type="{LINK_FORMAT}"')
    existing = response.headers.get("Link")
    response.headers["Link"] = f"{existing}, {extra}" if existing else extra
    return response
